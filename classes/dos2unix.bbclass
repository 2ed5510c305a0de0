# OpenEmbedded's dos2unix: the source tree's text files have their CRLF line ends made LF after
# do_unpack, before do_patch (so that patches written with LF apply). As dos2unix itself, a file
# that looks binary (a NUL byte) is left as it is.
python do_convert_crlf_to_lf() {
    import os
    for root, _dirs, files in os.walk(d.getVar("S")):
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            if b"\r\n" in data and b"\0" not in data:
                with open(path, "wb") as handle:
                    handle.write(data.replace(b"\r\n", b"\n"))
}
addtask convert_crlf_to_lf after do_unpack before do_patch
