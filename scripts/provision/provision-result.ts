/** What one provisioning step did: `installed` is false when everything was already there. */
export interface ProvisionResult {
  what: string;
  installed: boolean;
  /** Where the tool or files now are. */
  location: string;
}
