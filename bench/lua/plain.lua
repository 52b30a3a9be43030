-- P0 / P0b: the URL given on the command line, no headers; only the JSON summary is added.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
done = common.done
