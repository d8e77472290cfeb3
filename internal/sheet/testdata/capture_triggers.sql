CREATE TRIGGER "sheet_leads_capture_delete" BEFORE DELETE ON "sheet_leads" FOR EACH ROW WHEN (NOT (OLD."_written_by" = 'sync' AND OLD."_status" = 'deleted') AND OLD."_status" <> 'removed' AND (OLD."_sfid" IS NOT NULL OR EXISTS (SELECT 1 FROM create_journal WHERE sheet_id = 2 AND row_id = OLD."_id" AND closed_at IS NULL))) BEGIN
	UPDATE "sheet_leads" SET "_status" = 'deleted', "_written_by" = 'user', "_error" = '', "_updated_at" = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE "_id" = OLD."_id";
	SELECT RAISE(IGNORE);
END;

CREATE TRIGGER "sheet_leads_capture_insert" AFTER INSERT ON "sheet_leads" FOR EACH ROW WHEN (NOT (NEW."_written_by" = 'sync' AND NEW."_sync_rev" <> 0)) BEGIN
	INSERT INTO outbox (sheet_id, row_id, op, columns, written_by, created_at) VALUES (2, NEW."_id", 'insert', rtrim(((CASE WHEN NEW."last_name" IS NOT NULL THEN 'last_name,' ELSE '' END) || ((CASE WHEN NEW."score" IS NOT NULL THEN 'score,' ELSE '' END) || (CASE WHEN NEW."converted" IS NOT NULL THEN 'converted,' ELSE '' END))), ','), 'sql', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER "sheet_leads_capture_update" AFTER UPDATE ON "sheet_leads" FOR EACH ROW WHEN (NOT (NEW."_written_by" = 'sync' AND NEW."_sync_rev" IS DISTINCT FROM OLD."_sync_rev") AND ((NEW."last_name" IS DISTINCT FROM OLD."last_name" OR (NEW."score" IS DISTINCT FROM OLD."score" OR NEW."converted" IS DISTINCT FROM OLD."converted")) OR (NEW."_status" IN ('pending', 'deleted') AND NEW."_status" IS DISTINCT FROM OLD."_status"))) BEGIN
	UPDATE "sheet_leads" SET "_status" = CASE WHEN NEW."_status" = 'deleted' THEN 'deleted' ELSE 'pending' END, "_written_by" = 'user', "_error" = '', "_updated_at" = CASE WHEN NEW."_updated_at" IS DISTINCT FROM OLD."_updated_at" THEN NEW."_updated_at" ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END WHERE "_id" = NEW."_id";
	INSERT INTO outbox (sheet_id, row_id, op, columns, written_by, created_at) VALUES (2, NEW."_id", CASE WHEN NEW."_status" = 'deleted' THEN 'delete' ELSE 'update' END, rtrim(((CASE WHEN NEW."last_name" IS DISTINCT FROM OLD."last_name" THEN 'last_name,' ELSE '' END) || ((CASE WHEN NEW."score" IS DISTINCT FROM OLD."score" THEN 'score,' ELSE '' END) || (CASE WHEN NEW."converted" IS DISTINCT FROM OLD."converted" THEN 'converted,' ELSE '' END))), ','), 'sql', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

