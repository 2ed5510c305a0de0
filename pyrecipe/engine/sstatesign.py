"""Shared-state archives signed with gpg by the build that made them, and verified before a restore.

A ``.sha256`` beside an archive says the download is whole, not who made it: a mirror (or anyone
who can write to it) serves a changed archive with a recomputed checksum as easily. As
OpenEmbedded does (``sstate.bbclass`` with ``oe.gpg_sign``), and with its variables' meanings:

* ``SSTATE_SIG_KEY``: the key (any name gpg takes with ``-u``) that signs each archive a build
  stores; the detached, binary signature goes beside it as ``<archive>.sig``.
  ``SSTATE_SIG_PASSPHRASE`` unlocks it (empty: none, or the gpg agent has it).
* ``SSTATE_VERIFY_SIG = "1"``: an archive is restored only when its ``.sig`` verifies against the
  keys of the gpg keyring; else it is not used (a warning names it and says why) and its tasks run.
* ``SSTATE_VALID_SIGS``: when set, only signatures by these keys count (long key IDs as gpg's
  ``GOODSIG`` gives them, or fingerprints); empty: any key of the keyring.
* ``GPG_PATH``: the gpg home directory holding the keyring (default: gpg's own, ``GNUPGHOME``
  or ``~/.gnupg``); ``GPG_BIN``: the gpg program (default ``gpg``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import PyrecipeError

#: Seconds gpg may take to sign or verify one archive (an agent that waits for a pinentry stops here).
GPG_TIMEOUT = 120


@dataclass(frozen=True)
class Signer:
    """What the configuration says about signing and verifying shared state."""

    key: str = ""
    passphrase: str = ""
    verify: bool = False
    valid_sigs: tuple[str, ...] = ()
    homedir: str = ""
    gpg: str = "gpg"

    @classmethod
    def from_variables(cls, getvar: Callable[[str], str | None]) -> Signer:
        return cls(key=(getvar("SSTATE_SIG_KEY") or "").strip(), passphrase=getvar("SSTATE_SIG_PASSPHRASE") or "",
                   verify=(getvar("SSTATE_VERIFY_SIG") or "0").strip() == "1",
                   valid_sigs=tuple((getvar("SSTATE_VALID_SIGS") or "").upper().split()),
                   homedir=(getvar("GPG_PATH") or "").strip(), gpg=(getvar("GPG_BIN") or "").strip() or "gpg")

    def _run(self, args: list[str], passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [self.gpg, "--batch", "--no-tty", "--no-permission-warning"]
        if self.homedir:
            command += ["--homedir", self.homedir]
        try:
            return subprocess.run([*command, *args], input=passphrase, capture_output=True, text=True,
                                  timeout=GPG_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PyrecipeError(f"{self.gpg} did not run: {error}") from None

    def sign(self, archive: Path, signature: Path) -> None:
        """Write the detached signature of ``archive`` to ``signature``; PyrecipeError when gpg cannot."""
        result = self._run(["--yes", "--pinentry-mode", "loopback", "--passphrase-fd", "0", "--local-user", self.key,
                            "--detach-sign", "--output", str(signature), str(archive)], self.passphrase)
        if result.returncode != 0:
            signature.unlink(missing_ok=True)
            raise PyrecipeError(f"gpg could not sign with SSTATE_SIG_KEY {self.key!r}: {_last_line(result.stderr)}")

    def problem(self, archive: Path, signature: Path) -> str | None:
        """Why ``archive`` may not be restored under SSTATE_VERIFY_SIG, or None when its signature is good."""
        if not signature.is_file():
            return f"no signature file {signature.name} (SSTATE_VERIFY_SIG is 1)"
        # Only keys already in the keyring: a gpg.conf with auto-key-retrieve would fetch the
        # signer's key from a keyserver, and any key there would then verify.
        result = self._run(["--no-auto-key-retrieve", "--status-fd", "1", "--verify", str(signature), str(archive)])
        signers: set[str] = set()
        for line in result.stdout.splitlines():
            words = line.split()
            if words[:2] == ["[GNUPG:]", "GOODSIG"] and len(words) > 2:
                signers.add(words[2].upper())
            elif words[:2] == ["[GNUPG:]", "VALIDSIG"] and len(words) > 2:
                signers.update(word.upper() for word in (words[2], words[-1]))
        if result.returncode != 0 or not signers:
            return f"its signature does not verify: {_last_line(result.stderr)}"
        if self.valid_sigs and not signers & set(self.valid_sigs):
            return f"signed by {' '.join(sorted(signers))}, none of SSTATE_VALID_SIGS"
        return None


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no message"


def signature_path(archive: Path) -> Path:
    """Where an archive's detached signature lies: beside it, as OE's ``.sig``."""
    return archive.with_name(archive.name + ".sig")

