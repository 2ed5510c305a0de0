"""do_test of pillow on the board: PNG (zlib) and JPEG (libjpeg-turbo) round trips."""
import io

import PIL
import PIL._imaging as C
from PIL import Image, features

assert C.__file__.endswith(".so"), C.__file__
assert features.check("jpg") and features.check("zlib") and features.check("libjpeg_turbo"), features.pilinfo
im = Image.new("RGB", (64, 48))
im.putdata([(x * 4, y * 5, (x + y) * 2) for y in range(48) for x in range(64)])
buf = io.BytesIO()
im.save(buf, "PNG", optimize=True)
png = buf.getvalue()
assert png[:8] == b"\x89PNG\r\n\x1a\n"
back = Image.open(io.BytesIO(png))
assert back.format == "PNG" and back.tobytes() == im.tobytes()
buf = io.BytesIO()
im.save(buf, "JPEG", quality=95)
jpg = buf.getvalue()
assert jpg[:3] == b"\xff\xd8\xff"
dec = Image.open(io.BytesIO(jpg))
dec.load()
assert (dec.format, dec.mode, dec.size) == ("JPEG", "RGB", (64, 48))
err = max(abs(a - b) for a, b in zip(dec.tobytes(), im.tobytes()))
assert err < 40, err
print("pillow", PIL.__version__, "libjpeg-turbo", features.version("libjpeg_turbo"), "zlib", features.version("zlib"),
      C.__file__.rsplit("/", 1)[1])
