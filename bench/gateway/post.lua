-- wrk: POST /v1/jobs with a fresh idempotency key per request, so each one creates a job.
local thread_id = 0
local counter = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function request()
  counter = counter + 1
  local key = string.format("bench-%d-%d-%d", thread_id, counter, math.random(1000000000))
  return wrk.format("POST", "/v1/jobs", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, os.getenv("SPOOL_BENCH_BODY"))
end
