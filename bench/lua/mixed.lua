-- P4: 90% P1 (list) / 10% P2 (create): every tenth request of a thread is a create.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
init = common.init
done = common.done

local count = 0
function request()
  count = count + 1
  if count % 10 == 0 then
    return common.create_request()
  end
  return common.list_request()
end
