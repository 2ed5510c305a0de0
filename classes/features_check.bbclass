# OpenEmbedded's features_check: a recipe that needs (or cannot have) features of the distro or
# the machine says so, and is skipped with the reason where they are missing (or present):
#   REQUIRED_DISTRO_FEATURES  every word must be in DISTRO_FEATURES
#   ANY_OF_DISTRO_FEATURES    at least one word must be
#   CONFLICT_DISTRO_FEATURES  no word may be
# and the same with MACHINE (MACHINE_FEATURES) and COMBINED (COMBINED_FEATURES: what both have).
# Asking for a skipped recipe is an error that gives the reason.
python () {
    for kind in ("DISTRO", "MACHINE", "COMBINED"):
        have = set((d.getVar(kind + "_FEATURES") or "").split())
        any_of = set((d.getVar("ANY_OF_" + kind + "_FEATURES") or "").split())
        required = set((d.getVar("REQUIRED_" + kind + "_FEATURES") or "").split())
        conflicting = set((d.getVar("CONFLICT_" + kind + "_FEATURES") or "").split())
        if any_of and not any_of & have:
            raise bb.parse.SkipRecipe("one of '%s' needs to be in %s_FEATURES" % (" ".join(sorted(any_of)), kind))
        missing = required - have
        if missing:
            raise bb.parse.SkipRecipe("missing required %s feature%s '%s' (not in %s_FEATURES)"
                                      % (kind.lower(), "s" if len(missing) > 1 else "", " ".join(sorted(missing)), kind))
        present = conflicting & have
        if present:
            raise bb.parse.SkipRecipe("conflicting %s feature%s '%s' (in %s_FEATURES)"
                                      % (kind.lower(), "s" if len(present) > 1 else "", " ".join(sorted(present)), kind))
}
