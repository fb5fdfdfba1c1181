import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamTarget } from '../../spec/adapter.js';
import type { AwsCredentials } from './sigv4.js';

/**
 * How to reach and authenticate to one Bedrock target, from UpstreamTarget (config interpolates the secrets
 * from the environment, e.g. `accessKeyId: ${AWS_ACCESS_KEY_ID}`).
 *
 * - SigV4: `options.accessKeyId` + `options.secretAccessKey` (+ `options.sessionToken` for STS credentials).
 * - Bedrock API key: `apiKey` (sent as `Authorization: Bearer`), used only when no access keys are set.
 * - Region: `options.region`, else read from a `bedrock-runtime.{region}.amazonaws.com` base URL (also
 *   FIPS and `vpce-….bedrock-runtime.{region}.vpce.amazonaws.com`) — so one pool can list replicas in
 *   several regions when `options.region` is left out.
 */
export interface BedrockTargetConfig {
  baseUrl: string;
  region: string;
  auth: { kind: 'sigv4'; credentials: AwsCredentials } | { kind: 'bearer'; token: string };
  requestMetadata?: Record<string, string>;
  /** Converse fields set per backend in config and sent verbatim (see PASSTHROUGH). */
  passthrough?: Record<string, Record<string, unknown>>;
}

/**
 * Converse request fields that belong to the deployment rather than the client, copied verbatim from
 * `options`: `guardrailConfig` ({guardrailIdentifier, guardrailVersion, trace, streamProcessingMode}),
 * `performanceConfig` ({latency: "optimized"}) and `serviceTier` ({type: "priority" | "flex" | …})
 * (reference/bedrock.md §1.2, §1.7, §1.8, §1.10).
 */
const PASSTHROUGH = ['guardrailConfig', 'performanceConfig', 'serviceTier'] as const;

function stringOption(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readTargetConfig(target: UpstreamTarget): BedrockTargetConfig {
  const options = target.options ?? {};
  const baseUrl = target.baseUrl.replace(/\/+$/, '');
  const region = stringOption(options, 'region') ?? /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)(?:\.vpce)?\.amazonaws\.com/.exec(baseUrl)?.[1];
  if (region === undefined) {
    throw new GatewayError('internal_error', `Bedrock target ${baseUrl} needs options.region (it is not in the base URL).`);
  }
  const accessKeyId = stringOption(options, 'accessKeyId');
  const secretAccessKey = stringOption(options, 'secretAccessKey');
  const sessionToken = stringOption(options, 'sessionToken');
  let auth: BedrockTargetConfig['auth'];
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    auth = { kind: 'sigv4', credentials: sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken } };
  } else if (target.apiKey !== undefined && target.apiKey !== '') {
    auth = { kind: 'bearer', token: target.apiKey };
  } else {
    throw new GatewayError(
      'internal_error',
      `Bedrock target ${baseUrl} has no credentials: set options.accessKeyId and options.secretAccessKey (or apiKey).`,
    );
  }
  const config: BedrockTargetConfig = { baseUrl, region, auth };
  const metadata = options['requestMetadata'];
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
    config.requestMetadata = Object.fromEntries(
      Object.entries(metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  }
  for (const key of PASSTHROUGH) {
    const value = options[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      config.passthrough = { ...config.passthrough, [key]: value as Record<string, unknown> };
    }
  }
  return config;
}

/**
 * `POST {base}/model/{modelId}/{operation}`. The model id is percent-encoded as one path segment: inference
 * profile ids hold `:` and ARNs hold `:` and `/` (arn:aws:bedrock:…:application-inference-profile/abc).
 */
export function operationUrl(baseUrl: string, modelId: string, operation: 'converse' | 'converse-stream' | 'count-tokens'): string {
  return `${baseUrl}/model/${encodeURIComponent(modelId)}/${operation}`;
}
