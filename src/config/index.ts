export { configSchema, type Config, type BackendConfig, type ModelConfig, type ConfigInput } from './schema.js';
export { ConfigError, formatPath, loadConfigFile, parseConfig, validateConfig, type ParseConfigOptions } from './load.js';
export { interpolateEnv, InterpolationError } from './interpolate.js';
