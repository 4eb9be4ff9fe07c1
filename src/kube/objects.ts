// What the API calls of this folder hand the watches: an object as far as listing and watching need it,
// and one list's items with the resourceVersion a watch resumes from.
export interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}
