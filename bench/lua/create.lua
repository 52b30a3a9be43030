-- P2: POST /api/transactions, a unique Idempotency-Key on every request.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
init = common.init
request = common.create_request
done = common.done
