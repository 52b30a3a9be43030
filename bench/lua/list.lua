-- P1: GET /api/transactions?limit=50 with a valid token (rotating over the seeded users).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
init = common.init
request = common.list_request
done = common.done
