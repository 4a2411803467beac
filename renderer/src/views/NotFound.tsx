/** Shown for unknown links and for anything the user may not see: the same words either way. */
import { Empty, PageHeader } from '../components/ui';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <div>
      <PageHeader title="Not found" />
      <Empty>The {what} you asked for was not found, or you do not have access to it. <a href="#/">Back to start</a></Empty>
    </div>
  );
}
