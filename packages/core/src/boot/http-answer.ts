/**
 * A response the boot layer has decided on completely, headers and bytes included, so each
 * integration only writes it out and both answer byte for byte alike.
 */
export interface HttpAnswer {
  status: 200 | 503;
  headers: Record<string, string>;
  body: string;
}
