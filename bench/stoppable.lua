-- Runs a sysbench 1.0.20 workload until a file appears, so that bench/run can measure the application's latency
-- over exactly the window a change runs in (sysbench otherwise stops only at --time/--events):
--   BENCH_SCRIPT=oltp_insert BENCH_STOP_FILE=/tmp/x sysbench bench/stoppable.lua --time=3600 ... run
-- BENCH_SCRIPT is a built-in script's name (oltp_write_only, oltp_insert) or a path (bench/mixed.lua). Each
-- thread checks for the file before each event; sysbench ends its run, and prints its usual report, once every
-- thread has stopped (an event() that returns true ends the thread's loop).
local script = assert(os.getenv("BENCH_SCRIPT"), "BENCH_SCRIPT is not set")
local stop_file = os.getenv("BENCH_STOP_FILE")
if script:find("/") then dofile(script) else require(script) end

local inner = event
function event(...)
   if stop_file then
      local f = io.open(stop_file)
      if f then f:close(); return true end
   end
   return inner(...)
end
