-- wrk: POST signed Twilio webhooks from WRK_FILE, one per line as
-- "signature<TAB>form body", each once: thread i of WRK_THREADS takes lines
-- i, i + WRK_THREADS, ... (every line has its own MessageSid and sender).
local path = os.getenv("WRK_FILE")
local threads = tonumber(os.getenv("WRK_THREADS") or "1")
local counter = 0

setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local lines, i

init = function()
  lines = {}
  for line in io.lines(path) do
    lines[#lines + 1] = line
  end
  i = id + 1
end

wrk.method = "POST"

request = function()
  -- Past the end of the file (this thread stops at its next answer): a
  -- repeat, which twowayd drops, never counted as it stops.
  local line = lines[i] or lines[#lines]
  i = i + threads
  local sig, body = string.match(line, "^([^\t]*)\t(.*)$")
  return wrk.format(nil, "/twilio/sms", {["Host"] = wrk.headers["Host"],
                   ["Content-Type"] = "application/x-www-form-urlencoded",
                   ["X-Twilio-Signature"] = sig}, body)
end

response = function(status, headers, body)
  if i > #lines then
    wrk.thread:stop()
  end
end
