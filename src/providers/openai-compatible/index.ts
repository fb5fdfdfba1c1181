export { createOpenAICompatibleAdapter } from './adapter.js';
export { VENDORS, VENDOR_NAMES, vendorHooks, type VendorHooks } from './vendors.js';
export { errorParam } from './errors.js';
