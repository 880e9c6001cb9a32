"""A project's documents (签约协议, 营业执照, 到位凭证, 其他): upload, list, download and removal,
through the service and the panel's routes — every rule, every refusal changing nothing and
leaving no file, each change in the project's history, and no wall ever reading one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import actor, all_rows
from wallchart.core.errors import Forbidden, Invalid, NotFound, ServiceError
from wallchart.core.models import ProjectDocument, ProjectEvent
from wallchart.extensions import db
from wallchart.services import accounts, documents, projects

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def project(make_project) -> dict:
    return make_project("签约项目")


def stored_files(app) -> list[Path]:
    with app.app_context():
        return sorted(documents.folder().iterdir())


def add(app, who: str, project_id: int, content: bytes = PDF, kind: str = "agreement",
        filename: str = "投资协议.pdf") -> ProjectDocument:
    with app.app_context():
        made = documents.add_document(actor(who), project_id, kind, filename, content)
        db.session.expunge(made)
        return made


def refused(app, call, who: str | None, *args) -> ServiceError:
    """A refusal that changes no row and leaves no file behind."""
    before, files = all_rows(app), stored_files(app)
    with app.app_context(), pytest.raises(ServiceError) as caught:
        call(actor(who) if who else None, *args)
    assert all_rows(app) == before and stored_files(app) == files
    return caught.value


def history(app, project_id: int, action: str) -> list[ProjectEvent]:
    with app.app_context():
        found = list(db.session.execute(select(ProjectEvent).where(
            ProjectEvent.project_id == project_id, ProjectEvent.action == action)).scalars())
        db.session.expunge_all()
        return found


# --- the service ------------------------------------------------------------------------------

def test_a_member_uploads_a_document_kept_under_a_random_name(app, project, heard):
    made = add(app, "member", project["id"])
    assert (made.kind, made.filename, made.content_type, made.size_bytes) == (
        "agreement", "投资协议.pdf", "application/pdf", len(PDF))
    files = stored_files(app)
    assert [path.name for path in files] == [made.stored_name]
    assert len(made.stored_name) == 32 and "投资" not in made.stored_name
    assert files[0].read_bytes() == PDF
    [event] = history(app, project["id"], "document_added")
    assert event.changes == {"document": made.id, "kind": "agreement", "filename": "投资协议.pdf"}
    assert [(e.project.id, e.action) for e in heard] == [(project["id"], "document_added")]
    with app.app_context():
        assert [d.id for d in documents.documents_of(project["id"])] == [made.id]
        assert documents.has_agreement(project["id"])


@pytest.mark.parametrize(("content", "given", "kept"), [
    (PNG, "营业执照.PNG", "营业执照.PNG"),
    (JPEG, "凭证.jpeg", "凭证.jpeg"),
    (PNG, "disguised.pdf", "disguised.pdf.png"),       # the content decides, not the name
    (PDF, r"C:\Users\张三\协议", "协议.pdf"),             # no folders, and an ending to open it
])
def test_the_type_is_read_from_the_content(app, project, content, given, kept):
    made = add(app, "lead", project["id"], content, "licence", given)
    assert made.filename == kept


@pytest.mark.parametrize(("content", "field"), [
    (b"GIF89a" + b"\x00" * 20, "file"),
    (b"MZ\x90\x00 an executable named .pdf", "file"),
    (b"", "file"),
    (None, "file"),
    (b"%PDF-" + b"\x00" * documents.MAX_BYTES, "file"),
])
def test_a_file_not_accepted_is_refused_at_its_field(app, project, content, field):
    error = refused(app, documents.add_document, "member", project["id"], "agreement",
                    "协议.pdf", content)
    assert isinstance(error, Invalid) and field in error.fields


def test_an_unknown_kind_or_a_bad_name_is_refused(app, project):
    error = refused(app, documents.add_document, "member", project["id"], "passport",
                    "a\x00b.pdf", PDF)
    assert set(error.fields) == {"kind", "file"}


@pytest.mark.parametrize(("who", "error"), [(None, Forbidden), ("viewer", Forbidden),
                                             ("outsider", Forbidden)])
def test_only_the_team_leads_and_admins_upload(app, project, who, error):
    assert isinstance(refused(app, documents.add_document, who, project["id"], "agreement",
                              "协议.pdf", PDF), error)


def test_a_missing_or_withdrawn_project_takes_no_document(app, project):
    assert isinstance(refused(app, documents.add_document, "member", 999999, "agreement",
                              "协议.pdf", PDF), NotFound)
    with app.app_context():
        projects.withdraw_project(actor("lead"), project["id"], project["version"],
                                  "went_elsewhere")
    assert isinstance(refused(app, documents.add_document, "member", project["id"],
                              "agreement", "协议.pdf", PDF), Invalid)


def test_a_lead_removes_a_document_saying_why(app, project, heard):
    made = add(app, "member", project["id"])
    assert isinstance(refused(app, documents.remove_document, "member", made.id, 1, "错了"),
                      Forbidden)
    assert isinstance(refused(app, documents.remove_document, "lead", made.id, 1, " "), Invalid)
    assert isinstance(refused(app, documents.remove_document, "lead", made.id, 7, "错了"),
                      ServiceError)
    with app.app_context():
        documents.remove_document(actor("lead"), made.id, 1, "传错了文件")
        assert documents.documents_of(project["id"]) == []
        assert not documents.has_agreement(project["id"])
    [event] = history(app, project["id"], "document_removed")
    assert event.reason == "传错了文件" and event.changes["filename"] == "投资协议.pdf"
    assert len(stored_files(app)) == 1  # the record keeps the file
    assert isinstance(refused(app, documents.remove_document, "lead", made.id, 2, "再删"),
                      NotFound)


@pytest.mark.parametrize(("who", "may"), [("member", True), ("viewer", True), ("lead", True),
                                          ("admin", True), ("outsider", False)])
def test_who_may_read_a_projects_documents(app, project, who, may):
    with app.app_context():
        from wallchart.core.models import Project
        assert documents.may_read(actor(who), db.session.get(Project, project["id"])) is may


# --- the routes -------------------------------------------------------------------------------

def upload(client, project_id: int, content: bytes = PDF, kind: str = "agreement",
           filename: str = "投资协议.pdf"):
    import io
    return client.post(f"/board/projects/{project_id}/documents",
                       data={"kind": kind, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_uploaded_from_the_panel_and_downloaded_as_an_attachment(app, clients, project):
    big = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)  # above the app's 1 MB a request
    answer = upload(clients["member"], project["id"], big)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    page = answer.get_data(as_text=True)
    assert "投资协议.pdf" in page and "签约协议" in page
    with app.app_context():
        [document] = documents.documents_of(project["id"])
        url = f"/board/documents/{document.id}"
    got = clients["viewer"].get(url)
    assert got.status_code == 200 and got.data == big
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%8A%95%E8%B5%84" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in got.headers["Cache-Control"]
    assert clients["outsider"].get(url).status_code == 403
    assert clients["lead"].get("/board/documents/999999").status_code == 404
    panel = clients["lead"].get(f"/board/projects/{project['id']}").get_data(as_text=True)
    assert "上传了文件：签约协议，投资协议.pdf" in panel


def test_no_wall_or_lobby_token_ever_reads_a_document(app, clients, project):
    upload(clients["member"], project["id"])
    with app.app_context():
        [document_id] = [document.id for document in documents.documents_of(project["id"])]
        tokens = [accounts.create_display_token(None, "大厅", {"profile": "lobby"}),
                  accounts.create_display_token(None, "会议室", {"profile": "staff"})]
        db.session.commit()
    client = app.test_client()
    for token in tokens:
        for asked in ({"query_string": {"token": token}},
                      {"headers": {"Authorization": f"Bearer {token}"}}):
            answer = client.get(f"/board/documents/{document_id}", **asked)
            assert answer.status_code in (302, 401, 403) and PDF not in answer.data
    assert app.test_client().get(f"/board/documents/{document_id}").status_code == 302


def test_a_refused_upload_says_why_in_chinese_and_keeps_nothing(app, clients, project):
    before, files = all_rows(app), stored_files(app)
    answer = upload(clients["member"], project["id"], b"<html><script>alert(1)</script>",
                    filename="协议.pdf")
    assert answer.status_code == 422
    assert "只接受 PDF、PNG 和 JPEG 文件" in answer.get_data(as_text=True)
    too_big = b"%PDF-" + b"0" * (documents.MAX_BYTES + 100 * 1024)
    answer = upload(clients["member"], project["id"], too_big)
    assert answer.status_code == 413 and "文件超过 10 MB" in answer.get_data(as_text=True)
    answer = clients["member"].client.post(
        f"/board/projects/{project['id']}/documents", data={"kind": "agreement"})
    assert answer.status_code in (400, 403)  # no CSRF token
    assert all_rows(app) == before and stored_files(app) == files


def test_a_lead_removes_one_from_the_panel(app, clients, project):
    upload(clients["member"], project["id"])
    with app.app_context():
        [document] = documents.documents_of(project["id"])
    url = f"/board/documents/{document.id}/remove"
    assert clients["member"].post(url, data={"version": "1", "reason": "x"}).status_code == 403
    answer = clients["lead"].post(url, data={"version": "1", "reason": ""})
    assert answer.status_code == 422
    shown = answer.get_data(as_text=True)  # the form open again, the reason marked and said
    prefix = f"document-{document.id}"
    assert 'class="remove-document" open' in shown
    assert f'aria-describedby="{prefix}-reason-error"' in shown
    assert f'<p class="field-error" id="{prefix}-reason-error">' in shown
    answer = clients["lead"].post(url, data={"version": "1", "reason": "传错了"})
    assert answer.status_code == 200 and "还没有文件" in answer.get_data(as_text=True)
    assert clients["lead"].get(f"/board/documents/{document.id}").status_code == 404


# --- backups ----------------------------------------------------------------------------------

def test_a_restored_backup_serves_the_document_again(app, clients, project, tmp_path):
    """The documents go into the backup beside the database, and come back with it."""
    import shutil
    import socket

    from wallchart.services import backup

    with socket.socket() as free:  # nothing may answer where the app would listen
        free.bind(("127.0.0.1", 0))
        app.config["PORT"] = free.getsockname()[1]
    made = add(app, "member", project["id"])
    with app.app_context():
        saved = backup.backup(tmp_path)
        folder = documents.folder()
    archive = backup.documents_archive(saved)
    assert archive.is_file() and archive.stat().st_mode & 0o077 == 0
    shutil.rmtree(folder)  # the disk that held them is lost
    assert clients["member"].get(f"/board/documents/{made.id}").status_code == 404
    with app.app_context():
        backup.restore(saved)
    answer = clients["member"].get(f"/board/documents/{made.id}")
    assert answer.status_code == 200 and answer.data == PDF


def test_a_backup_whose_documents_are_not_documents_restores_nothing(app, project, tmp_path):
    import socket
    import tarfile

    from wallchart.services import backup

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        app.config["PORT"] = free.getsockname()[1]
    add(app, "member", project["id"])
    with app.app_context():
        saved = backup.backup(tmp_path)
    evil = tmp_path / "evil"
    evil.write_text("x")
    with tarfile.open(backup.documents_archive(saved), "w") as tar:
        tar.add(evil, arcname="../../escaped")
    before = all_rows(app)
    with app.app_context(), pytest.raises(backup.BackupError, match="中有不是项目文件的内容"):
        backup.restore(saved)
    assert all_rows(app) == before and not (tmp_path.parent / "escaped").exists()


# --- verified signings ------------------------------------------------------------------------

@pytest.fixture
def signed(make_project) -> dict:
    from wallchart.core.timeutil import today
    return make_project("已签约项目", stage="signed",
                        stage_dates={"signed": today().isoformat()})


def version(app, project_id: int) -> int:
    with app.app_context():
        from wallchart.core.models import Project
        return db.session.get(Project, project_id).version


def test_a_signing_is_verified_only_against_an_attached_agreement(app, signed, project):
    from wallchart.services import verification

    error = refused(app, verification.verify_signing, "lead", signed["id"],
                    version(app, signed["id"]))
    assert "请先上传签约协议" in error.message
    add(app, "member", signed["id"], PNG, "licence", "执照.png")
    assert "请先上传签约协议" in refused(app, verification.verify_signing, "lead",
                                        signed["id"], version(app, signed["id"])).message
    add(app, "member", signed["id"])
    add(app, "member", project["id"])
    assert isinstance(refused(app, verification.verify_signing, "member", signed["id"],
                              version(app, signed["id"])), Forbidden)
    assert isinstance(refused(app, verification.verify_signing, "lead", project["id"],
                              version(app, project["id"])), Invalid)  # not signed
    assert isinstance(refused(app, verification.verify_signing, "lead", signed["id"], 1),
                      ServiceError)  # an older version
    with app.app_context():
        verification.verify_signing(actor("lead"), signed["id"], version(app, signed["id"]))
    assert len(history(app, signed["id"], "verified")) == 1
    assert "已经核实" in refused(app, verification.verify_signing, "admin", signed["id"],
                               version(app, signed["id"])).message


def test_the_indicators_count_the_verified_signings(app, clients, signed, make_project):
    from wallchart.core.timeutil import today
    from wallchart.services import verification

    make_project("未核实项目", stage="signed", stage_dates={"signed": today().isoformat()})
    add(app, "member", signed["id"])
    with app.app_context():
        verification.verify_signing(actor("lead"), signed["id"], version(app, signed["id"]))
    body = clients["viewer"].get("/api/indicators").get_json()
    assert body["indicators"]["signed"]["count"] == 2 and body["signed_verified"] == 1
    page = clients["viewer"].get("/indicators").get_data(as_text=True)
    assert "其中已核实 1 个" in page


def test_a_verification_is_withdrawn_with_a_reason_and_keeps_its_agreement(app, clients, signed):
    from wallchart.services import verification

    made = add(app, "member", signed["id"])
    url = f"/board/projects/{signed['id']}"
    answer = clients["member"].post(f"{url}/verify", data={"version": version(app, signed["id"])})
    assert answer.status_code == 403
    answer = clients["lead"].post(f"{url}/verify", data={"version": version(app, signed["id"])})
    assert answer.status_code == 200
    assert "签约已由 Lead 对照协议核实" in answer.get_data(as_text=True)
    error = refused(app, documents.remove_document, "lead", made.id, 1, "换一份")
    assert "请先撤销核实" in error.message
    answer = clients["lead"].post(f"{url}/unverify",
                                  data={"version": version(app, signed["id"]), "reason": ""})
    assert answer.status_code == 422
    shown = answer.get_data(as_text=True)
    assert 'class="unverify-signing" open' in shown
    assert 'aria-describedby="unverify-reason-error"' in shown
    assert '<p class="field-error" id="unverify-reason-error">' in shown
    assert isinstance(refused(app, verification.unverify_signing, "member", signed["id"],
                              version(app, signed["id"]), "x"), Forbidden)
    answer = clients["lead"].post(f"{url}/unverify", data={
        "version": version(app, signed["id"]), "reason": "协议页数不全"})
    assert answer.status_code == 200 and "签约尚未核实" in answer.get_data(as_text=True)
    [event] = history(app, signed["id"], "unverified")
    assert event.reason == "协议页数不全"
    panel = clients["lead"].get(url).get_data(as_text=True)
    assert "Lead 对照协议核实了签约" in panel and "Lead 撤销了签约核实" in panel
    with app.app_context():
        documents.remove_document(actor("lead"), made.id, 1, "换一份")
