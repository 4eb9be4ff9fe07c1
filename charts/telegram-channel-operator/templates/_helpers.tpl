{{/* Names and labels, the conventional way (helm create). */}}
{{- define "tgc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tgc.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tgc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tgc.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tgc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tgc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "tgc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "tgc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: telegram-channel-operator
{{- end }}

{{/* What the operator may do with TelegramChannels, Secrets and Events (a ClusterRole's or a Role's rules). */}}
{{- define "tgc.rules" -}}
- apiGroups: ["telegram.notify.dev"]
  resources: ["telegramchannels"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["telegram.notify.dev"]
  resources: ["telegramchannels/status"]
  verbs: ["get", "patch", "update"]
# list/watch are asked for metadata only; without them (watchSecrets: false) only referenced Secrets are read.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: {{ if .Values.watchSecrets }}["get", "list", "watch"]{{ else }}["get"]{{ end }}
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# spec.template.configMapRef: GET of the one ConfigMap named, never list, watch or write.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
# The cluster's Warning events for channels with spec.kubernetesEvents (docs/kubernetes-events.md).
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["list", "watch"]
{{- if .Values.alertmanagerConfig.enabled }}
# The generated AlertmanagerConfigs (spec.alertmanager.config; deploy/components/alertmanagerconfig).
- apiGroups: ["monitoring.coreos.com"]
  resources: ["alertmanagerconfigs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
{{- end }}
{{- end }}

{{/* Cluster-wide installs only: ClusterTelegramBots and namespace metadata (list/watch asked for metadata only). */}}
{{- define "tgc.clusterRules" -}}
- apiGroups: ["telegram.notify.dev"]
  resources: ["clustertelegrambots"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["telegram.notify.dev"]
  resources: ["clustertelegrambots/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["list", "watch"]
{{- end }}

{{/* Refuse values that would install something broken, with a message that says what to change. */}}
{{- define "tgc.validate" -}}
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail (printf "leaderElection.enabled=false needs replicaCount: 1 (got %d): without leader election every replica sends every alert" (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.resyncPeriodSeconds (lt (int .Values.resyncPeriodSeconds) 1) }}
{{- fail (printf "resyncPeriodSeconds must be a positive number of seconds (got %v)" .Values.resyncPeriodSeconds) }}
{{- end }}
{{- end }}
