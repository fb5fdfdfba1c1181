/**
 * The Lua scripts behind the Redis limit backend. Redis runs a script atomically: no other command from
 * any gateway process runs between its reads and its writes, so "check every limit, then reserve" has no
 * read-then-write race across processes (the gap behind LiteLLM #27736, #40291 and Bifrost #3547).
 *
 * Time comes from the Redis server (`TIME`), not from each gateway's clock, so every process sees one
 * window. Allowed inside scripts since Redis 5 (effects replication, the only mode since 7).
 *
 * Window: 60 one-second buckets in a hash per key and dimension, field = second, value = count. The
 * same algorithm as `window.ts`; see docs/tenancy.md "Windows" for why.
 *
 * Counters written with HINCRBY take the ARGV strings as they came, never a Lua number: Lua prints
 * numbers of 15+ digits as `1e+15`, which HINCRBY would refuse.
 */

const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucketMs = tonumber(ARGV[1])
local nb = tonumber(ARGV[2])
local cur = math.floor(now / bucketMs)
local oldest = cur - nb + 1
`;

/**
 * KEYS: 1 requests hash, 2 tokens hash, 3 concurrency zset, 4 budget hash
 * ARGV: 1 bucketMs, 2 buckets, 3 admission id, 4 rpm (0 = none), 5 tpm (0 = none), 6 max concurrent (0 = none),
 *       7 budget nano (-1 = none), 8 tokens, 9 cost nano, 10 lease ms, 11 period end ms (epoch),
 *       12 seed allowed (1/0)
 * Returns: { code, retryMs (-1 = none), bucket, reqUsed, reqResetMs, tokUsed, tokResetMs }
 *   code 0 admitted, 1 requests, 2 tokens, 3 concurrency, 4 budget, 5 budget counter needs a seed
 */
export const ADMIT_SCRIPT = `${PRELUDE}
local function window(key)
  local flat = redis.call('HGETALL', key)
  local used, items, stale = 0, {}, {}
  for i = 1, #flat, 2 do
    local b, v = tonumber(flat[i]), tonumber(flat[i + 1])
    if b < oldest then stale[#stale + 1] = flat[i] else used = used + v; items[#items + 1] = { b, v } end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  table.sort(items, function(x, y) return x[1] < y[1] end)
  return used, items
end
local function wait_for(items, excess)
  local freed = 0
  for _, it in ipairs(items) do
    freed = freed + it[2]
    if freed >= excess then return (it[1] + nb) * bucketMs - now end
  end
  return -1
end
local function reset_ms(items)
  if #items == 0 then return 0 end
  return (items[#items][1] + nb) * bucketMs - now
end

local rpm, tpm, maxc = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local budget, tokens, cost = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local lease, periodEnd = tonumber(ARGV[10]), tonumber(ARGV[11])
local reqUsed, reqItems, tokUsed, tokItems = 0, {}, 0, {}
if rpm > 0 then reqUsed, reqItems = window(KEYS[1]) end
if tpm > 0 then tokUsed, tokItems = window(KEYS[2]) end

local code, retry = 0, -1
if rpm > 0 and reqUsed + 1 > rpm then
  code, retry = 1, wait_for(reqItems, reqUsed + 1 - rpm)
elseif tpm > 0 and tokUsed + tokens > tpm then
  code = 2
  if tokens <= tpm then retry = wait_for(tokItems, tokUsed + tokens - tpm) end
end
if code == 0 and maxc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= maxc then code, retry = 3, 1000 end
end
if code == 0 and budget >= 0 then
  if redis.call('EXISTS', KEYS[4]) == 0 then
    if ARGV[12] == '1' then return { 5, -1, cur, 0, 0, 0, 0 } end
    redis.call('HSET', KEYS[4], 'spent', 0, 'reserved', 0)
    redis.call('PEXPIREAT', KEYS[4], periodEnd + 86400000)
  end
  local spent = tonumber(redis.call('HGET', KEYS[4], 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', KEYS[4], 'reserved') or '0')
  if spent >= budget or spent + reserved + cost > budget then
    code, retry = 4, math.max(0, periodEnd - now)
  end
end

if code == 0 then
  local ttl = (nb + 1) * bucketMs
  if rpm > 0 then
    redis.call('HINCRBY', KEYS[1], cur, 1)
    redis.call('PEXPIRE', KEYS[1], ttl)
    reqUsed = reqUsed + 1
    reqItems[#reqItems + 1] = { cur, 1 }
  end
  if tpm > 0 then
    redis.call('HINCRBY', KEYS[2], cur, ARGV[8])
    redis.call('PEXPIRE', KEYS[2], ttl)
    tokUsed = tokUsed + tokens
    tokItems[#tokItems + 1] = { cur, tokens }
  end
  if maxc > 0 then
    redis.call('ZADD', KEYS[3], now + lease, ARGV[3])
    redis.call('PEXPIRE', KEYS[3], lease * 2)
  end
  if budget >= 0 then redis.call('HINCRBY', KEYS[4], 'reserved', ARGV[9]) end
end
return { code, retry, cur, reqUsed, reset_ms(reqItems), tokUsed, reset_ms(tokItems) }
`;

/**
 * KEYS: 1 tokens hash, 2 concurrency zset, 3 budget hash (or a dummy when none)
 * ARGV: 1 bucketMs, 2 buckets, 3 admission id, 4 bucket of the reservation, 5 token delta,
 *       6 reserved nano, 7 actual nano, 8 has budget (1/0)
 */
export const SETTLE_SCRIPT = `${PRELUDE}
local b, delta = tonumber(ARGV[4]), tonumber(ARGV[5])
if delta ~= 0 and b >= oldest and redis.call('HEXISTS', KEYS[1], ARGV[4]) == 1 then
  local v = redis.call('HINCRBY', KEYS[1], ARGV[4], ARGV[5])
  if v < 0 then redis.call('HSET', KEYS[1], ARGV[4], 0) end
end
redis.call('ZREM', KEYS[2], ARGV[3])
if ARGV[8] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then
  if ARGV[6] ~= '0' then
    -- (Redis parses '-0' as no integer, hence the guard.)
    local r = redis.call('HINCRBY', KEYS[3], 'reserved', '-' .. ARGV[6])
    if r < 0 then redis.call('HSET', KEYS[3], 'reserved', 0) end
  end
  redis.call('HINCRBY', KEYS[3], 'spent', ARGV[7])
end
return 1
`;

/** KEYS: 1 concurrency zset. ARGV: 1 bucketMs, 2 buckets, 3 admission id, 4 lease ms. Extends a held lease only. */
export const RENEW_SCRIPT = `${PRELUDE}
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
end
return 1
`;

/** KEYS: 1 budget hash. ARGV: 1 spent nano, 2 expire-at ms. Seeds a period's counter unless one exists. */
export const SEED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'spent', ARGV[1], 'reserved', 0)
  redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[2]))
end
return 1
`;
