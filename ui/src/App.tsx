import { Route, Routes } from "react-router-dom";
import { Home } from "./pages/Home";
import { ProjectPage } from "./pages/ProjectPage";
import { ExperimentPage } from "./pages/ExperimentPage";
import { ObjectRedirect } from "./pages/ObjectRedirect";
import { TracePage } from "./pages/TracePage";
import { ProjectSettingsPage } from "./pages/ProjectSettingsPage";
import { Login } from "./pages/Login";
import { Accept } from "./pages/Accept";
import { Members } from "./pages/settings/Members";
import { ApiKeys } from "./pages/settings/ApiKeys";
import { ReviewScores } from "./review/ReviewScores";
import { EmptyState, ToastProvider, TooltipProvider } from "./ui";
import { RequireSession, SessionProvider } from "./shell/session";
import { CrumbsProvider } from "./shell/crumbs";
import { TopBar } from "./shell/TopBar";
import { Link } from "react-router-dom";

function NotFound() {
  return (
    <main className="page">
      <EmptyState title="Page not found" actions={<Link className="btn" to="/">Go to projects</Link>}>
        The address does not match any page of Assay.
      </EmptyState>
    </main>
  );
}

const guarded = (el: React.ReactNode) => <RequireSession>{el}</RequireSession>;

export function App() {
  return (
    <TooltipProvider>
      <ToastProvider>
        <CrumbsProvider>
          <SessionProvider>
          <div className="app">
            <TopBar />
            <Routes>
              <Route path="/login" element={<Login />} />
              <Route path="/accept" element={<Accept />} />
              <Route path="/settings/members" element={guarded(<Members />)} />
              <Route path="/settings/keys" element={guarded(<ApiKeys />)} />
              <Route path="/object" element={guarded(<ObjectRedirect />)} />
              <Route path="/" element={guarded(<Home />)} />
              <Route path="/:org" element={guarded(<Home />)} />
              <Route path="/:org/p/:project" element={guarded(<ProjectPage />)} />
              <Route path="/:org/p/:project/experiments" element={guarded(<ProjectPage />)} />
              <Route path="/:org/p/:project/settings" element={guarded(<ProjectSettingsPage />)} />
              <Route path="/:org/p/:project/settings/review" element={guarded(<ReviewScores />)} />
              <Route path="/:org/p/:project/experiments/:experiment" element={guarded(<ExperimentPage />)} />
              <Route path="/:org/p/:project/experiments/:experiment/trace/:trace" element={guarded(<TracePage />)} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </div>
          </SessionProvider>
        </CrumbsProvider>
      </ToastProvider>
    </TooltipProvider>
  );
}
