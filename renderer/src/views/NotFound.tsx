/** Unknown links and charts the user may not see (the same words either way), and views not for this user. */
import { Empty, PageHeader } from '../components/ui';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <div>
      <PageHeader title="Not found" />
      <Empty>
        The {what} you asked for was not found, or you do not have access to it. <a href="#/">Back to start</a>
      </Empty>
    </div>
  );
}

/** A view the user typed or followed a link to that their role does not include: said plainly, nothing of it shown. */
export function NotForYou({ view, forWhom }: { view: string; forWhom: string }) {
  return (
    <div>
      <PageHeader title="This view is not for you" />
      <Empty>
        <strong>{view}</strong> is for {forWhom}, and your role here does not include it. The navigation on the left shows what
        you can use. <a href="#/">Go to your start page</a>
      </Empty>
    </div>
  );
}
