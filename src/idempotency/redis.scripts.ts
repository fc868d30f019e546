/**
 * Lua scripts of the Redis store. Each touches the keys of one hash slot only
 * (a record and its lease share a `{tag}`; a guard is a single key), so they
 * run unchanged under Redis Cluster. Redis's own clock rules leases (PX).
 */

/**
 * KEYS: record, lease. ARGV: fingerprint, owner, leaseMs, ttlMs, nowIso, pendingJson. A record lives ttlMs
 * from its creation, but a retry or takeover near the end of that life keeps it at least twice its lease:
 * it must not expire under the attempt it lets run. A missing record whose lease is held is an attempt
 * still running (its record expired or was evicted): in progress, never a fresh claim.
 */
export const CLAIM = `
local function outlive_lease()
  local floor = 2 * tonumber(ARGV[3])
  if redis.call('PTTL', KEYS[1]) < floor then redis.call('PEXPIRE', KEYS[1], floor) end
end
local fp = redis.call('HGET', KEYS[1], 'fp')
if not fp then
  if redis.call('EXISTS', KEYS[2]) == 1 then return {'in_progress', ARGV[5], '', '', '[]', '[]'} end
  redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'state', 'in_progress', 'owner', ARGV[2], 'createdAt', ARGV[5], 'pending', ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return {'claimed', ARGV[5], '', '', '[]', '[]'}
end
if fp ~= ARGV[1] then return {'reused'} end
local f = redis.call('HMGET', KEYS[1], 'state', 'createdAt', 'completedAt', 'status', 'results', 'pending', 'retryable')
local state, createdAt, completedAt, status, results, pending = f[1], f[2] or '', f[3] or '', f[4] or '', f[5] or '[]', f[6] or '[]'
if state == 'in_progress' then
  if redis.call('EXISTS', KEYS[2]) == 1 then return {'in_progress', createdAt, completedAt, status, results, '[]'} end
  redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'pending', ARGV[6], 'prevPending', pending)
  outlive_lease()
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return {'takeover', createdAt, completedAt, status, results, pending}
end
if f[7] ~= '1' then return {'completed', createdAt, completedAt, status, results, '[]'} end
redis.call('HSET', KEYS[1], 'state', 'in_progress', 'owner', ARGV[2], 'pending', ARGV[6])
redis.call('HDEL', KEYS[1], 'prevPending')
outlive_lease()
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return {'retry', createdAt, completedAt, status, results, '[]'}
`;

/**
 * KEYS: record, lease. ARGV: owner, resultsJson, status, retryable ('1'|'0'), nowIso. Compare-and-set on the
 * owner token: 1 completed now, 2 already completed by this owner (an earlier try landed), 0 lost.
 */
export const COMPLETE = `
local f = redis.call('HMGET', KEYS[1], 'owner', 'state')
if f[1] == ARGV[1] and f[2] == 'completed' then return 2 end
if f[1] ~= ARGV[1] or f[2] ~= 'in_progress' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'completed', 'results', ARGV[2], 'status', ARGV[3], 'retryable', ARGV[4], 'completedAt', ARGV[5], 'pending', '[]')
redis.call('HDEL', KEYS[1], 'prevPending')
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * KEYS: record, lease. ARGV: owner. Gives a claim back, leaving the record as the claim found it: a takeover
 * (CLAIM kept the crashed attempt's pending targets in prevPending) in progress again with them pending, for
 * the next takeover; an earlier completed attempt restored; a fresh record deleted.
 */
export const RELEASE = `
local f = redis.call('HMGET', KEYS[1], 'owner', 'state', 'completedAt', 'prevPending')
if f[1] ~= ARGV[1] or f[2] ~= 'in_progress' then return 0 end
if f[4] then
  redis.call('HSET', KEYS[1], 'pending', f[4])
  redis.call('HDEL', KEYS[1], 'prevPending')
elseif f[3] then
  redis.call('HSET', KEYS[1], 'state', 'completed', 'pending', '[]')
else
  redis.call('DEL', KEYS[1])
end
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * KEYS: guard. ARGV: recordId, owner, ttlMs, leaseMs, fresh ('1': a brand-new record). A guard an attempt
 * holds reads `recordId|owner|busy:<ms>`, the latest its attempt can still be running (its lease, on Redis's
 * clock); a kept one (its identity created, or maybe created) reads `recordId|owner`, as every guard of
 * earlier versions did. Free, or held by this record (a takeover or retry): take it, busy, for ttlMs, and
 * answer 1 (it was free), 5 (it was this record's, busy: an earlier attempt of it took it before its call, and
 * may have sent it) or 6 (this record's, kept: an attempt of it decided the identity exists, or may). Held
 * by another record: 2 while that attempt may still be running (it may fail and give the name back), else 0.
 * A brand-new record meets a kept guard of its own id, or one whose attempt can no longer be running, only
 * when an earlier record of that key expired before its guard: that one created (or may have created) the
 * identity, so refused as well: 3, to tell the client it was its own key's earlier attempt. Held busy by
 * another owner of this same record: 4. One of the two attempts lost its lease (a stall past it, and a
 * takeover meanwhile); the one holding the guard may still be calling, so the other sends nothing.
 * ARGV[6] '1' (leaseHeld): the caller holds the lease, so that holder is the stale one: taken.
 */
export const GUARD_CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('GET', KEYS[1])
local mine = ARGV[1] .. '|' .. ARGV[2] .. '|'
local busy = mine .. 'busy:' .. (now + tonumber(ARGV[4]))
if v then
  local untilMs = tonumber(string.match(v, '|busy:(%d+)$'))
  local other = string.sub(v, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. '|'
  if ARGV[6] ~= '1' and not other and untilMs and untilMs > now and string.sub(v, 1, string.len(mine)) ~= mine then return 4 end
  if other or (ARGV[5] == '1' and not (untilMs and untilMs > now)) then
    if untilMs and untilMs > now then return 2 end
    if other then return 0 end
    return 3
  end
end
redis.call('SET', KEYS[1], busy, 'PX', ARGV[3])
if v and string.find(v, '|busy:', 1, true) then return 5 end
if v then return 6 end
return 1
`;

/** KEYS: guard. ARGV: recordId|owner. `DEL` if this owner holds it (busy or kept). */
export const GUARD_RELEASE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or (v and string.sub(v, 1, string.len(ARGV[1]) + 6) == ARGV[1] .. '|busy:') then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: guard. ARGV: recordId|owner, ttlMs. Kept (`recordId|owner`, no longer busy) for ttlMs from now, if this owner holds it. */
export const GUARD_KEEP = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or (v and string.sub(v, 1, string.len(ARGV[1]) + 6) == ARGV[1] .. '|busy:') then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/**
 * KEYS: audit stream. ARGV: maxEvents (approximate), minId (oldest kept, ms), ttlMs, eventJson.
 * Append, trim by count and by age, and a TTL so an idle stream goes away with its retention:
 * one command instead of three (docs/idempotency.md, "The audit trail").
 */
export const AUDIT_APPEND = `
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[4])
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * KEYS: audit stream, the attempt's retry mark. ARGV: as AUDIT_APPEND. A completion's first try. Its bytes
 * can reach Redis after a retry of it that went out on a new connection (held in the socket buffer of a
 * connection cut as half-open): a retry leaves a mark (AUDIT_APPEND_ONCE), and a first try that finds one
 * appends nothing (0). The mark exists only after a retry, so the hot path only asks whether it does.
 */
export const AUDIT_APPEND_FIRST = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
${AUDIT_APPEND}`;

/** How many of a stream's newest entries AUDIT_APPEND_ONCE reads at most, looking for its event. */
export const AUDIT_ONCE_SEARCH_LIMIT = 20_000;

/**
 * How long a retry's mark stops a late first try (AUDIT_APPEND_FIRST): longer than a completion is retried
 * (COMPLETION_RETRY_HORIZON_MS, 5 min) and than Linux goes on resending a closed connection's bytes (about
 * 15 min with its default retries).
 */
export const AUDIT_RETRY_MARK_MS = 60 * 60_000;

/**
 * KEYS: audit stream, the attempt's retry mark. ARGV: as AUDIT_APPEND, then searchFrom (ms: the oldest entry
 * id that can be this event's), markTtlMs. A completion's retry: an earlier try whose reply was lost may have
 * appended the very same event (the same JSON, to the same stream). Appended only when none of the newest
 * entries down to searchFrom (at most AUDIT_ONCE_SEARCH_LIMIT) holds it: 1; already there: 0. Either way it
 * first leaves the mark (for markTtlMs) that stops the first try, should that land later (AUDIT_APPEND_FIRST).
 * Never on the hot path, only on retries.
 */
export const AUDIT_APPEND_ONCE = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[6])
local from = '+'
local seen = 0
while seen < ${AUDIT_ONCE_SEARCH_LIMIT} do
  local entries = redis.call('XREVRANGE', KEYS[1], from, ARGV[5], 'COUNT', 1000)
  for _, entry in ipairs(entries) do
    local f = entry[2]
    for i = 1, #f, 2 do
      if f[i] == 'e' and f[i + 1] == ARGV[4] then return 0 end
    end
  end
  if #entries < 1000 then break end
  seen = seen + #entries
  from = '(' .. entries[#entries][1]
end
${AUDIT_APPEND}`;
