-- wrk script: idempotent publishes to products load.p0..load.p49, each with a new
-- version and Idempotency-Key (see bench/README.md for the setup).
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  local v = "1." .. counter .. "." .. tid
  local p = "load.p" .. ((counter * 7 + tid) % 50)
  local body = '{"version":"' .. v .. '","contract":"apiVersion: v3.1.0\\nkind: DataContract\\nid: facts\\nversion: ' .. v .. '\\nstatus: active\\nschema:\\n  - name: facts\\n    properties:\\n      - name: fact_id\\n        logicalType: integer\\n"}'
  return wrk.format("POST", "/data-products/" .. p .. "/versions", {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. os.getenv("MESH_TOKEN"), ["Idempotency-Key"]="k-" .. tid .. "-" .. counter}, body)
end
done = function(summary, latency, requests) io.write(string.format("non-2xx: %d\n", summary.errors.status)) end
local shown = 0
response = function(status, headers, body) if status ~= 202 and shown < 2 then shown = shown + 1; print(status, body) end end
