"""Turns an upload (a zip or several CSV files) into the {file name: bytes} the importer takes."""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from .format import EXPORT_ONLY_FILE_NAMES, INPUT_FILE_NAMES, file_meant
from .reading import Problem

MAX_UNCOMPRESSED = 512 * 1024 * 1024  # a file, or a zip unpacked, larger than this is refused (zip bombs)


def files_from_upload(uploads) -> tuple[dict[str, bytes], list[Problem]]:
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    uploads = list(uploads)
    if sum(upload.size for upload in uploads) > MAX_UNCOMPRESSED:  # refused before any is read into memory
        return {}, [Problem("upload", 1, "-", f"the files are larger than {MAX_UNCOMPRESSED // 2**20} MB together")]
    for upload in uploads:
        name = PurePosixPath(upload.name).name
        if name.lower().endswith(".zip"):
            found, more = _files_from_zip(name, upload.read())
            files.update(found)
            problems += more
        elif name in INPUT_FILE_NAMES:
            files[name] = upload.read()
        else:
            problems.append(Problem(name, 1, "-", f"unexpected file (expected a .zip or: {', '.join(INPUT_FILE_NAMES)}){file_meant(name)}"))
    if not files and not problems:
        problems.append(Problem("upload", 1, "-", "no file was uploaded"))
    return files, problems


def _files_from_zip(name: str, data: bytes) -> tuple[dict[str, bytes], list[Problem]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return {}, [Problem(name, 1, "-", "the file is not a valid zip archive")]
    members = [m for m in archive.infolist() if not m.is_dir() and not PurePosixPath(m.filename).name.startswith(".")]
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
        return {}, [Problem(name, 1, "-", f"the archive unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB")]
    files, problems = {}, []
    seen: dict[str, str] = {}  # file name -> the member that held it
    for member in members:
        base = PurePosixPath(member.filename).name
        if base in INPUT_FILE_NAMES and base in seen:
            # two data sets in one archive: importing either silently would lose the other
            problems.append(Problem(f"{name}/{member.filename}", 1, "-", f"a second {base} in the archive (the first is {seen[base]})"))
        elif base in INPUT_FILE_NAMES:
            seen[base] = member.filename
            data, problem = _member_bytes(archive, member)
            if problem:
                problems.append(Problem(f"{name}/{member.filename}", 1, "-", problem))
            else:
                files[base] = data
        elif base not in EXPORT_ONLY_FILE_NAMES:  # an export's computed files are skipped
            problems.append(Problem(f"{name}/{member.filename}", 1, "-", f"unexpected file in the archive{file_meant(base)}"))
    return files, problems


def _member_bytes(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[bytes, str]:
    """A member's bytes, or why they cannot be read (a damaged, encrypted or oddly compressed
    archive raised from deep in zipfile, a server error on the upload page)."""
    if member.flag_bits & 0x1:
        return b"", "the file is encrypted: zip the data set again without a password"
    try:
        return archive.read(member), ""
    except NotImplementedError:
        return b"", "the file is compressed with a method this importer cannot read: zip it again with the usual (deflate) method"
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        return b"", f"the archive is damaged ({exc}): zip the data set again"
