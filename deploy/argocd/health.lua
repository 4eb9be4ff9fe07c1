-- Argo CD health check for telegram.notify.dev/TelegramChannel and telegram.notify.dev/ClusterTelegramBot:
-- one script, under both argocd-cm keys
--   resource.customizations.health.telegram.notify.dev_TelegramChannel
--   resource.customizations.health.telegram.notify.dev_ClusterTelegramBot
-- Suspended when spec.suspend is true (a channel only); Progressing until the operator has looked at
-- the current generation; then the Ready condition: True = Healthy, False = Degraded (e.g.
-- ChatIdMissingMinusSign, Unauthorized, SecretNotFound), Unknown = Progressing (a transient cause such
-- as TelegramUnavailable or RateLimited, retried with backoff).
local hs = {}

local waiting = "Waiting for the operator to verify the channel"
if obj.kind == "ClusterTelegramBot" then
  waiting = "Waiting for the operator to verify the bot's token"
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended: spec.suspend is true, no verification and no sends"
  return hs
end

if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = waiting
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
  hs.message = waiting
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
  -- A ClusterTelegramBot counts the channels that use it.
  if obj.status.channels ~= nil then
    hs.message = message .. ", used by " .. tostring(obj.status.channels) .. " channel(s)"
  end
  return hs
end

if ready.status == "False" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
hs.message = reason .. ": " .. message
return hs
