-- wrk: POST /v1/jobs with a fresh idempotency key per request, so each one creates a job.
-- `thread_number` is a global on purpose: `thread:set` sets globals in the thread's own Lua state, and a local here
-- would stay 0 in every thread, so the threads would send the same keys and half the requests would be replays.
thread_number = 0
local run = os.time()
local counter = 0

function setup(thread)
  thread:set("thread_number", thread_number)
  thread_number = thread_number + 1
end

function request()
  counter = counter + 1
  local key = string.format("bench-%d-%d-%d", run, thread_number, counter)
  return wrk.format("POST", "/v1/jobs", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, os.getenv("SPOOL_BENCH_BODY"))
end
