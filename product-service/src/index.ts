export { loadProductConfig, type ProductConfig } from "./config.js";
export { type ProductService, startProductService } from "./service.js";
