// Elasticsearch, RabbitMQ, Consul, Spring Boot (ports 8000-8009)
import type { CatalogDevice } from './index.js';

export const SERVICES_CATALOG: CatalogDevice[] = [];
