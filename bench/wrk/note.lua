-- wrk: POST a private note to the conversations listed in WRK_CONVS
-- ("1,2,3"), one after the other: one write transaction per request.
local convs = {}
for id in string.gmatch(os.getenv("WRK_CONVS") or "1", "%d+") do
  convs[#convs + 1] = id
end
local account = os.getenv("WRK_ACCOUNT") or "1"
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  local conv = convs[(n % #convs) + 1]
  local body = '{"content":"bench note ' .. n .. '","private":true}'
  return wrk.format(nil, "/api/v1/accounts/" .. account .. "/conversations/" .. conv ..
                    "/messages", nil, body)
end
