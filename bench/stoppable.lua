-- Runs a sysbench 1.0.20 workload until a file appears, so that bench/run can measure the application's latency
-- over exactly the window a change runs in (sysbench otherwise stops only at --time/--events):
--   BENCH_SCRIPT=oltp_insert BENCH_STOP_FILE=/tmp/x sysbench bench/stoppable.lua --time=3600 ... run
-- BENCH_SCRIPT is a built-in script's name (oltp_write_only, oltp_insert) or a path (bench/mixed.lua). Each
-- thread checks for the file before each event; sysbench ends its run, and prints its usual report, once every
-- thread has stopped (an event() that returns true ends the thread's loop).
-- It also counts the errors sysbench ignores (--mysql-ignore-errors; sysbench retries the event at once, and
-- counts each try) by error number, and the events that hit one at least once: each thread prints
-- "bench-ignored-errors: events=N 1213=N 1205=N ..." when it ends.
local script = assert(os.getenv("BENCH_SCRIPT"), "BENCH_SCRIPT is not set")
local stop_file = os.getenv("BENCH_STOP_FILE")
if stop_file == "" then stop_file = nil end
if script:find("/") then dofile(script) else require(script) end

local ignored, hit, retrying = {}, 0, false
local inner = event
function event(...)
   if stop_file then
      local f = io.open(stop_file)
      if f then f:close(); return true end
   end
   local r = inner(...)
   retrying = false
   return r
end

local restart = sysbench.hooks.before_restart_event
function sysbench.hooks.before_restart_event(errdesc)
   local n = tonumber(errdesc.sql_errno) or -1
   ignored[n] = (ignored[n] or 0) + 1
   if not retrying then hit = hit + 1 end
   retrying = true
   if restart then restart(errdesc) end
end

local done = thread_done
function thread_done(...)
   local out = {"events=" .. hit}
   for n, c in pairs(ignored) do out[#out + 1] = n .. "=" .. c end
   print("bench-ignored-errors: " .. table.concat(out, " "))
   if done then done(...) end
end
