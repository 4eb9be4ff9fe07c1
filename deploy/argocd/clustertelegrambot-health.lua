-- Argo CD health check for telegram.notify.dev/ClusterTelegramBot.
-- argocd-cm key: resource.customizations.health.telegram.notify.dev_ClusterTelegramBot
-- Progressing until the operator has looked at the current generation; then the Ready condition:
-- True = Healthy (the token works), False = Degraded (e.g. Unauthorized, SecretNotFound),
-- Unknown = Progressing (a transient cause such as TelegramUnavailable, retried with backoff).
local hs = {}

if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to verify the bot's token"
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

if ready == nil or (generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to verify the bot's token"
  return hs
end

local reason = ready.reason or ""
local message = ready.message or ""

if ready.status == "True" then
  hs.status = "Healthy"
  if obj.status.channels ~= nil then
    hs.message = message .. ", used by " .. tostring(obj.status.channels) .. " channel(s)"
  else
    hs.message = message
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
