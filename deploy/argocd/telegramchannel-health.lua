-- Argo CD health check for telegram.notify.dev/TelegramChannel.
-- argocd-cm key: resource.customizations.health.telegram.notify.dev_TelegramChannel
-- Suspended when spec.suspend is true; Progressing until the operator has looked at the current
-- generation; then the Ready condition: True = Healthy, False = Degraded, Unknown = Progressing
-- (a transient cause such as TelegramUnavailable or RateLimited, retried with backoff).
local hs = {}

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended: spec.suspend is true, no verification and no sends"
  return hs
end

if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to verify the channel"
  return hs
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
if generation ~= nil and obj.status.observedGeneration ~= nil and obj.status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to verify generation " .. tostring(generation)
  return hs
end

local ready = nil
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    ready = c
  end
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to verify the channel"
  return hs
end

local reason = ready.reason or ""
local message = ready.message or ""

-- A Ready condition stamped for an older generation describes the old spec.
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to verify generation " .. tostring(generation)
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = message
  return hs
end

if ready.status == "False" then
  hs.status = "Degraded"
  hs.message = reason .. ": " .. message
  return hs
end

hs.status = "Progressing"
hs.message = reason .. ": " .. message
return hs
