-- Argo CD health check for schemachange.dev/SchemaChange (phases and conditions: CONTRACT.md).
--
--   Progressing  no status yet; the operator has not acted on the latest generation; Pending, Validating,
--                Preparing, Backfilling, Verifying, Swapping, RollingBack
--   Healthy      Completed; Swapped (the new table is live, the old one is only kept for rollback until
--                retention ends); AwaitingSwap (see below)
--   Suspended    paused: the Paused condition is True or the annotation schemachange.dev/paused is "true"
--   Degraded     Failed; RolledBack; any phase whose Degraded condition is True (database unreachable,
--                credentials rejected, spec change refused after the swap, invalid annotation, ...)
--   Unknown      a phase this script does not know (a newer operator): say so rather than guess
--
-- Choices:
-- * AwaitingSwap is Healthy. The copy is done and verified; what is left waits for a swap window, an approval
--   or a not-before time, which can take days. Progressing there would hold the Application's sync wave (and
--   every later wave) for that long. The price: a later wave is not told that the new schema is live yet, so
--   a workload that needs it must tolerate the old schema (expand/contract) or opt in to waiting with the
--   annotation schemachange.dev/argocd-wait-for-swap: "true" (read only by this script, not by the
--   operator), which keeps AwaitingSwap Progressing until the swap.
-- * RolledBack is Degraded, not Healthy: the change declared in Git is not in effect, and nothing would
--   bring it back. A later sync wave (e.g. the app that needs the new column) must not go on as if it were.
--   To clear it, remove the SchemaChange from Git, or give it a new spec to run it again.
-- * Failed is Degraded. A fix to the spec (a new generation) retries: until the operator has acted on that
--   generation, the change shows Progressing.
-- * A paused change is Suspended only while there is still work to do; Completed and Swapped stay Healthy
--   and Failed/RolledBack/Degraded stay Degraded whatever the annotation says.
local hs = {}

local function condition(status, kind)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function isTrue(status, kind)
  local c = condition(status, kind)
  return c ~= nil and c.status == "True"
end

local function annotation(key)
  if obj.metadata == nil or obj.metadata.annotations == nil then
    return nil
  end
  return obj.metadata.annotations[key]
end

local function flag(key)
  local value = annotation(key)
  if value == nil then
    return false
  end
  return string.lower((string.gsub(value, "^%s*(.-)%s*$", "%1"))) == "true"
end

local function text(status, fallback)
  if status.message ~= nil and status.message ~= "" then
    return status.message
  end
  return fallback
end

local status = obj.status
if status == nil or status.phase == nil or status.phase == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick up the change"
  return hs
end
local phase = status.phase

if isTrue(status, "Degraded") then
  local c = condition(status, "Degraded")
  hs.status = "Degraded"
  hs.message = phase .. ": " .. ((c.message ~= nil and c.message ~= "") and c.message or text(status, c.reason or "degraded"))
  return hs
end

local generation = obj.metadata ~= nil and obj.metadata.generation or nil
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to act on generation " .. tostring(generation) .. " (status is for "
      .. tostring(status.observedGeneration) .. ", phase " .. phase .. ")"
  return hs
end

if phase == "Failed" then
  local c = condition(status, "Failed")
  hs.status = "Degraded"
  hs.message = "Failed: " .. ((c ~= nil and c.message ~= nil and c.message ~= "") and c.message
      or text(status, "see the Failed condition")) .. " (fix the spec to retry)"
  return hs
end
if phase == "RolledBack" then
  hs.status = "Degraded"
  hs.message = "RolledBack: " .. text(status, "the change was rolled back; the original table is live")
      .. " (remove the SchemaChange or change its spec)"
  return hs
end
if phase == "Completed" then
  hs.status = "Healthy"
  hs.message = "Completed: " .. text(status, "the new table is live and every helper object is gone")
  return hs
end
if phase == "Swapped" then
  hs.status = "Healthy"
  hs.message = "Swapped: " .. text(status, "the new table is live; the old one is kept until retention ends")
  return hs
end

local moving = {
  Pending = true, Validating = true, Preparing = true, Backfilling = true, Verifying = true,
  AwaitingSwap = true, Swapping = true, RollingBack = true
}
if not moving[phase] then
  hs.status = "Unknown"
  hs.message = "Unknown phase " .. phase .. ": " .. text(status, "update the Argo CD health check")
  return hs
end

if flag("schemachange.dev/paused") or isTrue(status, "Paused") then
  hs.status = "Suspended"
  hs.message = "Paused in " .. phase .. ": remove the annotation schemachange.dev/paused to resume"
  return hs
end

if phase == "AwaitingSwap" and not flag("schemachange.dev/argocd-wait-for-swap") then
  hs.status = "Healthy"
  hs.message = "AwaitingSwap: " .. text(status, "copied and verified; waiting for the swap")
  return hs
end

hs.status = "Progressing"
hs.message = phase .. ": " .. text(status, "in progress")
return hs
