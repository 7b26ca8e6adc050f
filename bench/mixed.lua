-- sysbench 1.0.20 workload for bench/run: an application that appends and changes rows while a change runs.
-- Each event is one autocommit statement on sbtest1..sbtestN (picked like the built-in oltp scripts):
--   60% INSERT without an id (AUTO_INCREMENT: appends at the end of the table),
--   25% UPDATE ... SET c = ? WHERE id = ?  (a point update by primary key),
--   15% DELETE ... WHERE id = ?            (a point delete by primary key),
-- the ids drawn uniformly from 1 to the table's current MAX(id), which each thread re-reads every 50 events, so
-- the updates and deletes reach the rows appended during the run too (and a row deleted before is rare: a few
-- per thousand in bench/run's windows).
--   sysbench bench/mixed.lua --tables=1 --table-size=ROWS --mysql-db=... run   (prepare with oltp_insert)
require("oltp_common")

local c_template = "###########-###########-###########-###########-###########-###########-" ..
   "###########-###########-###########-###########"
local pad_template = "###########-###########-###########-###########-###########"

function prepare_statements()
   local t = sysbench.sql.type
   mixed = {}
   for n = 1, sysbench.opt.tables do
      local s = {}
      s.insert = con:prepare(string.format("INSERT INTO sbtest%d (k, c, pad) VALUES (?, ?, ?)", n))
      s.insert_p = {s.insert:bind_create(t.INT), s.insert:bind_create(t.CHAR, 120),
                    s.insert:bind_create(t.CHAR, 60)}
      s.insert:bind_param(unpack(s.insert_p))
      s.update = con:prepare(string.format("UPDATE sbtest%d SET c = ? WHERE id = ?", n))
      s.update_p = {s.update:bind_create(t.CHAR, 120), s.update:bind_create(t.INT)}
      s.update:bind_param(unpack(s.update_p))
      s.delete = con:prepare(string.format("DELETE FROM sbtest%d WHERE id = ?", n))
      s.delete_p = {s.delete:bind_create(t.INT)}
      s.delete:bind_param(unpack(s.delete_p))
      s.events = 0
      s.max_id = sysbench.opt.table_size
      mixed[n] = s
   end
end

local function refresh_max_id(n, s)
   local v = con:query_row(string.format("SELECT MAX(id) FROM sbtest%d", n))
   if v ~= nil then s.max_id = tonumber(v) end
end

function event()
   local n = sysbench.rand.uniform(1, sysbench.opt.tables)
   local s = mixed[n]
   if s.events % 50 == 0 then refresh_max_id(n, s) end
   s.events = s.events + 1
   local r = sysbench.rand.uniform(1, 100)
   if r <= 60 then
      s.insert_p[1]:set(sysbench.rand.uniform(1, sysbench.opt.table_size))
      s.insert_p[2]:set_rand_str(c_template)
      s.insert_p[3]:set_rand_str(pad_template)
      s.insert:execute()
   elseif r <= 85 then
      s.update_p[1]:set_rand_str(c_template)
      s.update_p[2]:set(sysbench.rand.uniform(1, s.max_id))
      s.update:execute()
   else
      s.delete_p[1]:set(sysbench.rand.uniform(1, s.max_id))
      s.delete:execute()
   end
end

function close_statements()
   for _, s in ipairs(mixed) do
      s.insert:close()
      s.update:close()
      s.delete:close()
   end
end
