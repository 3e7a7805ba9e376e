// Pages of a comparison's rows (POST /v1/experiment/{id}/compare/rows), for the Grid and diff mode.
import { useEffect, useState } from "react";
import { api } from "../api/client";
import { compareBody, type ChangeFilter, type CompareRowsPage, type Comparison } from "./api";

export function fetchRows(c: Comparison, query: object, change: ChangeFilter | null, offset: number, limit: number, withFields: boolean) {
  return api<CompareRowsPage>(`/v1/experiment/${c.table}/compare/rows`, {
    method: "POST",
    json: { ...compareBody(c, query, change), offset, limit, with_total: offset === 0, with_fields: withFields },
  });
}

/** The first `limit` rows with their compared test cases (and fields); more as `limit` grows. */
export function useCompareRows(c: Comparison, query: object, change: ChangeFilter | null, limit: number, withFields = true) {
  const [page, setPage] = useState<CompareRowsPage | null>(null);
  const [error, setError] = useState("");
  const key = JSON.stringify([c.ids, c.table, query, change, limit, withFields]);
  useEffect(() => {
    let live = true;
    setError("");
    fetchRows(c, query, change, 0, limit, withFields)
      .then((p) => live && setPage(p))
      .catch((e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [key]);
  return { page, error };
}
