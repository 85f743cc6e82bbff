"""Recognising known failures in a message or a whole log. Pure text work: no Environment here.

Patterns key on the structure of the messages, not on whole strings: a soname is taken from whatever precedes
'cannot open shared object file' (libcudart.so.8.0, libpython3.10.so.1.0, libcuda.so), a version from 'found
version 11040', an architecture from 'sm_120', a symbol and its version node from 'undefined symbol: X, version Y'.
Frameworks' wrappers around a loader error (ONNX Runtime's 'Failed to load library A with error: B', TensorRT's
'Unable to open library: A due to B', cuDNN's 'Could not load library A. Error: B') name B as the cause.

Each match has a layer: 0 for the loader and ABI (the root of what follows), 1 for the driver, container and
version setup, 2 for what a program reports when those fail (the RuntimeError, 'DNN library initialization
failed'). A log's explanations are ordered by layer, then by position: the root cause leads.
"""
from __future__ import annotations

import bisect
import functools

import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from envcheck import cudalibs
from envcheck.explain import codes as C
from envcheck.explain import cuda_errors as CE
from envcheck.explain import process as P
from envcheck.explain.paste import plain, rejoined, undressed, unprefixed

MAX_TEXT = 2_000_000  # a pasted log larger than this is cut (the start holds the root cause)

SONAME = r"(lib[\w+\-.]{0,120}?\.so(?:\.\d{1,6}){0,6})"
ANY_SO = r"([\w+\-.]{1,160}?\.so(?:\.\d{1,6}){0,6})"      # a package's own module too: fused_adam.so
Q = r"\\?[`'‘’\"]?"


@dataclass(frozen=True)
class Match:
    code: str
    start: int
    end: int
    layer: int
    matched: str
    line: str                          # the whole line(s) the match is on
    params: Tuple[Tuple[str, str], ...] = ()
    wrapper: bool = False              # a framework's wrapper line: dropped when a loader error is on the same line

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        return dict(self.params).get(key, default)

    @property
    def key(self) -> Tuple[str, str]:
        """What makes two matches the same finding: the code and its subject (soname, version, symbol)."""
        return self.code, self.get("subject", "")


# the driver's own user-space libraries, and Jetson's (L4T keeps them in /usr/lib/aarch64-linux-gnu/tegra and the NVIDIA
# runtime mounts them into containers: libnvdla_compiler, libnvrm_*, libnvos)
DRIVER_LIBS = re.compile(r"^(?:libcuda|libnvidia-ml|libnvidia-ptxjitcompiler|libnvcuvid|libnvidia-encode|"
                         r"libnvdla_(?:compiler|runtime)|libnvrm(?:_gpu|_mem|_host1x|_sync|_chip)?|libnvos|"
                         r"libnvsocsys|libnvcucompat)$")


# the same libraries on Windows: the display driver installs them into System32 (nvcuda.dll is libcuda)
WINDOWS_DRIVER_DLLS = ("nvcuda.dll", "nvml.dll", "nvcuvid.dll", "nvencodeapi64.dll", "nvencodeapi.dll")


def _soname_code(soname: str) -> str:
    """The driver's user-space libraries (libcuda, libnvidia-ml, ...) come from the installed driver, never from a
    package: their absence is its own cause."""
    if soname.lower() in WINDOWS_DRIVER_DLLS:
        return C.LIBCUDA
    stem = (cudalibs.split_name(soname) or (soname,))[0]
    return C.LIBCUDA if DRIVER_LIBS.match(stem) else C.MISSING_LIB


def _missing(group: int = 1):
    def f(mo, line):
        so = mo.group(group).strip("'\"`")
        return _soname_code(so), {"subject": so, "soname": so}
    return f


def _missing_named(name: str):
    """A CUDA library named by its stem ('cuda', 'nvrtc'): the driver's libcuda.so.1 or a toolkit library."""
    name = name if name == "nvJitLink" else name.lower()
    so = "libcuda.so.1" if name == "cuda" else f"lib{name}.so"
    return _soname_code(so), {"subject": so, "soname": so}


def _any_of(mo, line):
    """CTranslate2's 'Unable to load any of {libcudnn_ops.so.9.1.0, ..., libcudnn_ops.so.9, libcudnn_ops.so}': the
    soname (one number) is what the loader was asked for."""
    names = [n.strip() for n in mo.group(1).split(",") if ".so" in n]
    if not names:
        return None
    pick = next((n for n in names if cudalibs.is_soname_like(n)), names[0])
    return _soname_code(pick), {"subject": pick, "soname": pick}


def _dll_soname(stem: str, num: str) -> str:
    """A CUDA DLL's number is the major (cudnn64_9.dll) or major and minor (cudart64_110.dll, nvrtc64_120_0.dll)."""
    major = num[:-1] if len(num) >= 3 else num
    return f"lib{stem}.so.{major}"


# Windows' error codes from LoadLibrary: 193 is a DLL of another architecture or a damaged one (found, not missing)
DLL_NOT_MISSING = re.compile(r"^\W{0,4}(?:Error code|error)\s*:?\s*193\b", re.IGNORECASE)


def _dll(mo, line):
    """Windows' 'Could not locate cudnn_ops64_9.dll', 'Could not load library cudnn_cnn_infer64_8.dll. Error code 127',
    CuPy's 'Could not find module 'nvrtc64_120_0.dll'': the same library as libcudnn_ops.so.9."""
    if DLL_NOT_MISSING.match(mo.string[mo.end():mo.end() + 40]) or PAGEFILE.search(line):
        return None                        # there, but not loadable: another error of Windows' or the page file's
    so = _dll_soname(mo.group(1), mo.group(2))
    return _soname_code(so), {"subject": so, "soname": so, "dll": mo.group(0).split()[-1].strip("'\"`")}


# a CUDA library's Windows DLL named on its own (a dialog's or a log's bare 'cudnn64_7.dll'): the loader did not find it
CUDA_DLL = r"\b((?:cudnn|cublas|cublasLt|cudart|nvrtc|cufft|curand|cusparse|cusolver|nvJitLink)[a-z_\-]{0,30}?)64_(\d{1,3})" \
           r"(?:_\d{1,2})?\.dll\b"


def _load_library_126(mo, line):
    """Windows' 'LoadLibrary failed with error 126 when trying to load "...onnxruntime_providers_cuda.dll"': error 126
    is a module not found, here a DLL that one depends on (cuDNN, cuBLAS) and not the provider itself."""
    name = re.split(r"[\\/]", mo.group(1))[-1]
    return C.MISSING_LIB, {"subject": name, "soname": name, "dll": name, "dependency": "yes"}


def _symbol_load(mo, line):
    """'Invalid handle. Cannot load symbol cudnnCreateTensorDescriptor': the library of that API was not loaded."""
    m = re.match(r"(cudnn|cublasLt|cublas|cufft|curand|cusparse|cusolver|nccl|nvrtc)", mo.group(1))
    if not m:
        return None
    stem = "lib" + m.group(1)
    return C.MISSING_LIB, {"subject": stem, "soname": stem, "symbol": mo.group(1)}


NAMED = {"cudnn": "libcudnn", "cublas": "libcublas", "cufft": "libcufft", "cusparse": "libcusparse",
         "cusolver": "libcusolver", "nccl": "libnccl", "curand": "libcurand", "cupti": "libcupti",
         "nvjitlink": "libnvJitLink"}


def _named_lib(mo, line):
    stem = NAMED[mo.group(1).lower()]
    return C.MISSING_LIB, {"subject": stem, "soname": stem}


def _wrapped(outer: int, inner: int):
    """'Unable to open library: A due to B': B is what the loader could not find, A what needed it."""
    def f(mo, line):
        so = mo.group(inner)
        return _soname_code(so), {"subject": so, "soname": so, "needed_by": mo.group(outer)}
    return f


def _fixed(code: str, **params):
    def f(mo, line):
        return code, dict(params)
    return f


NEAR = 400    # how far along its line a match's neighbourhood reaches: a 40 KB line costs no more than a short one


def _near_span(mo) -> Tuple[int, int]:
    """The part of the match's line within NEAR characters of it."""
    text = mo.string
    start = max(text.rfind("\n", max(0, mo.start() - NEAR), mo.start()) + 1, mo.start() - NEAR)
    end = text.find("\n", mo.end(), mo.end() + NEAR)
    return start, (min(len(text), mo.end() + NEAR) if end < 0 else end)


def _near(mo) -> str:
    start, end = _near_span(mo)
    return mo.string[start:end]


# a line that says the program goes on without what failed, or that is advice rather than a failure ('falling back to
# gloo', 'using CPU since CUDA is not available', 'Skipping CUDA tests', 'halving batch size', 'building CPU-only',
# '-> disabled', ': OK', 'before running the installer'): the words of programs' own checks print these too
GOES_ON = re.compile(r"\b(?:fall(?:ing|s)?\s?back|will use|will be used|switching to|instead|skip(?:ping|ped|s)?|"
                     r"continu(?:ing|es)|retry(?:ing)?|will try|halving|offload(?:ing)?|disabled|(?:using|use) (?:CPU|the one|host|"
                     r"fp32|bf16|native|prebuilt|fallback|gloo)|(?:running|training) (?:on|in) (?:the )?CPU|running single|CPU mode|building (?:without|CPU)|"
                     r"searching|checking|before running|troubleshoot\w*|OK)\b|\bsince\b|\bbecause\b", re.IGNORECASE)


# an exception or an error's level before the match on its line: the program stopped there, whatever advice follows
RAISED = re.compile(r"\b(?:\w+Error|\w*Exception|FATAL|ERROR|Assertion\w*)\b")
# a line of a later traceback's exception ('AttributeError: ...', 'RuntimeError: ...'): the program did stop after all
RAISED_AFTER = re.compile(r"^[ \t]{0,8}[\w.]{0,80}(?:Error|Exception):", re.MULTILINE)


def failure_only(fn):
    """`fn`, unless the match's line or the line after it says the program goes on (GOES_ON) and nothing before the
    match on its line says it raised (RAISED)."""
    def f(mo, line):
        text = mo.string
        start, end = _near_span(mo)
        nxt = text[end + 1: end + 301].split("\n", 1)[0] if text[end:end + 1] == "\n" else ""
        if (GOES_ON.search(text[start:end]) or GOES_ON.search(nxt)) and not RAISED.search(text[start: mo.start()]):
            return None
        return fn(mo, line)
    f.__doc__ = fn.__doc__
    return f


# words before a match that make its line a condition, a question or advice, not a report ('If there is not enough GPU
# memory', 'Q: Why do I see ...'); 'Error when allocating' is a report
CONDITION = re.compile(r"\b(?:if|(?<!error )when|whether|unless|in case|tip|note|make sure|ensure|why|Q:|docs?:|faq|readme|"
                       r"release notes|fixed|resolved|before:|previously)(?:\b|(?<=:))", re.IGNORECASE)
# a line of source code, not of a log: the words inside a raise, a throw, a print call or a comment
# (a grep and a test's pytest.raises are TESTISH's, read for every pattern by quoted())
CODE_LINE = re.compile(r"\braise\b|\bthrow\b|\bprintf?\s*\(|//|/\*|^\s*#|\bskip(?:If|Unless)\b|\bassert\w*\b|"
                       r"\bwarnings\.warn\(|\bexpect(?:s|ed)?\b")
# words after a match on its line that say the failure is over ('... is gone', 'no longer appears', 'fixed by ...')
RESOLVED = re.compile(r"\b(?:no longer(?! support)|no more\b|is gone|disappeared|went away|(?:is|was|were|got|been|now) "
                      r"(?:fixed|resolved)\b|(?:fixed|resolved) (?:by|in|with|after)\b)|^\s*(?:fixed|resolved)\s*:",
                      re.IGNORECASE)
# words before a match that make its line a test's or a search's, whatever pattern it is (a grep of a log, a test that
# expects the message): read for every pattern, with RESOLVED
TESTISH = re.compile(r"\bgrep\b|\bfindstr\b|\bSelect-String\b|\bpytest\.(?:raises|skip|xfail)\b|\bassert(?:Raises\w*|Equal|In|NotIn|True|False|Contains)\s*\(|"
                     r"\bassert\s+[\"'].{0,200}?[\"']\s+(?:not\s+)?in\b|\bexpect_(?:error|warning|message|match)\s*\(")
# a question that quotes a message ('How do I fix "libX.so: cannot open ..."?', 'What does ... mean?'): a line that
# opens with a question's words and asks after the match
QUESTION = (re.compile(r"\s{0,8}(?:Q:\s{0,3})?(?:how (?:do|can|to|should)|what (?:does|do|is|causes|means?)|why (?:does|do|is)|"
                       r"which|when|where|does|do|is|can|could|should|has anyone|did anyone|anyone)\b[^\n?]{0,300}$",
                       re.IGNORECASE),
            re.compile(r"[^!\n]{0,160}\?"))
# a search's hit in a document ('docs/nvenc.md:12: The minimum required ...'): the document's words, not a run's
DOC_HIT = re.compile(r"\s{0,4}[\w./-]{1,200}\.(?:md|rst|txt|html?|adoc|qmd):\d{1,6}:")
# a document's list item that names the message in a code span and then says what to do ('- `X`: install ...'): the
# words before the match on its line, and after it
DOC_ITEM = (re.compile(r"\s{0,8}[-*+]\s{1,4}`[^`\n]{0,300}"),
            re.compile(r"[^`\n]{0,300}`\s{0,2}(?::|—|–| - )\s{0,4}\S"))
# a release note's or a changelog's line, a document's 'If you see X, ...', or one that names the message as what was
# fixed ('v0.4.2: fixed "X"', 'fixes CUDA_ERROR_X on ...', '... instead of failing with "X"'): the words before the
# match on its line
NOTED = re.compile(r"\b(?:release notes?|changelog|what's new)\b[^\n]{0,300}$|"
                   r"^\s{0,8}(?:if|when|whenever) (?:you|users?) (?:see|get|hit|encounter|run into)\s{1,3}(?!this\b|that\b)[^\n]{0,200}$|"
                   r"\b(?:fixed|fixes|resolves|resolved|instead of failing with)\s{1,3}[\"'`]?\s{0,2}$", re.IGNORECASE)
# an enum's or an error table's own source: 'case CUDA_ERROR_X:', '    OPTIX_ERROR_X = 7801,', '{ cudaErrorX, "..." },',
# a documentation table's '| 216 | CUDA_ERROR_X |': the match is a name being defined or listed, not a run's error
ENUM_BEFORE = re.compile(r"\s{0,40}(?:case\s{1,4}(?:\w{1,40}::)?|\{\s{0,4}|\|\s{0,4}`?-?\d{1,6}`?\s{0,4}\|\s{0,4}`?)")
ENUM_AFTER = re.compile(r"\s{0,40}(?::|,|`?\s{0,4}\||=\s{0,4}-?(?:\d{1,6}|0x[0-9a-fA-F]{1,8})\s{0,4},?\s{0,4}(?://[^\n]*)?(?:\n|$))")
# the rest of such a line: after 'case X:' or '{ X,' at its start, a string naming X is the same table's
ENUM_LINE = re.compile(r"\s{0,40}(?:case\s{1,4}[\w:]{1,80}\s{0,4}:|\{\s{0,4}[\w:]{1,80}\s{0,4},)")
# another vendor's GPU stack named in the text (CE.OTHER_GPU): words CUDA programs also print are not an NVIDIA fault
_other_gpu = CE.other_gpu


# the allocation that failed was host memory: pinned (cudaMallocHost, cudaHostAlloc) or the machine's RAM
HOST_MEMORY = re.compile(r"\bcudaMallocHost\b|\bcudaHostAlloc\b|\bcuMemAllocHost\b|\bpinned\b|\bhost (?:RAM|memory)\b|"
                         r"\bsystem RAM\b", re.IGNORECASE)
# pytest's 'assert "MESSAGE" in caplog.text': the quote opens before the match (the match may be the tail of the
# string) and closes after it
ASSERT_IN = (re.compile(r"\bassert\s+[\"'][^\"'\n]{0,200}$"), re.compile(r"[^\n\"']{0,200}[\"']\s+(?:not\s+)?in\b"))


# a line of a traceback's numbered source listing (IPython's and Jupyter's '    289         "Cannot re-initialize ...'),
# up to the string that holds the match: only code before it (a call, a raise, an assignment, or nothing: a string
# continued from the line above). The line marked '-->' is the one that raised, so what it raises is the failure.
LISTING = re.compile(r"[ \t]{0,40}\d{1,6}[ \t]{2,40}(?:(?:raise|return|print|[\w.]{1,60}\s{0,2}[(=,+]|[(,+])[^\n\"']{0,120})?"
                     r"[rfbu]{0,2}[\"'][^\"'\n]{0,400}$")
# the frame header IPython prints above a listing ('File ~/x/torch/cuda/__init__.py:293, in _lazy_init()', 'Cell In[3],
# line 5'), or Python's own
FRAME = re.compile(r"^\s{0,8}(?:File [^\n]{1,300}?(?::\d{1,6}, in |\", line \d{1,6})|Cell In\[\d{1,6}\], line \d)", re.MULTILINE)


def quoted(mo) -> bool:
    """The match is quoted by a line that says its failure is over ('no longer appears', 'Fixed: ...'), by a
    search or a test of it (grep, pytest.raises, assertIn, assert "..." in, expect_error), by a question about it, by
    a search's hit in a document or a document's list item ('- `X`: do this'), or by a string in a traceback's
    source listing (the 'Cannot re-initialize CUDA' of torch's _lazy_init shown above the error it did raise): not a
    failure, for any pattern."""
    start, end = _near_span(mo)
    before, after = mo.string[start: mo.start()], mo.string[mo.end(): end]
    nl = mo.string.rfind("\n", max(0, mo.start() - NEAR), mo.start())     # bounded: a listing's lines are short
    line = mo.string[nl + 1: mo.start()] if nl >= 0 or mo.start() <= NEAR else ""
    in_listing = bool(LISTING.match(line)) and bool(FRAME.search(mo.string, max(0, nl - 3000), max(0, nl)))
    closed = mo.group(0)[-1:] in ("'", '"') and re.match(r"\s{1,4}(?:not\s+)?in\b", after)   # the pattern took the quote
    assert_in = bool(ASSERT_IN[0].search(before) and (ASSERT_IN[1].match(after) or closed))
    asked = bool(QUESTION[0].match(line) and QUESTION[1].match(after))
    listed = bool((ENUM_BEFORE.fullmatch(line) or (not line.strip() and re.match(r"\s{0,40}=", after)))
                  and ENUM_AFTER.match(after)) or bool(ENUM_LINE.match(line))
    doc_item = bool(DOC_ITEM[0].fullmatch(line) and DOC_ITEM[1].match(after))
    return bool(RESOLVED.search(after) or RESOLVED.search(before) or TESTISH.search(before) or in_listing or assert_in
                or asked or DOC_HIT.match(line) or NOTED.search(line) or listed or doc_item)


def unconditional(fn):
    """`fn`, unless the words before the match on its line make it a condition, advice or source code (CONDITION,
    CODE_LINE), or the line asks a question after it ('Your GPU doesn't have enough memory? Try --lowvram'). A line
    that says the failure is over, a grep and a test are left out for every pattern (quoted())."""
    def f(mo, line):
        start, end = _near_span(mo)
        before, after = mo.string[start: mo.start()], mo.string[mo.end(): end]
        if CONDITION.search(before) or CODE_LINE.search(before) or re.match(r"[^.!\n]{0,80}\?", after):
            return None
        return fn(mo, line)
    f.__doc__ = fn.__doc__
    return f


def _cuda_int(n: str) -> str:
    """CUDA's version integer (12040, CUDA_VERSION and cudaDriverGetVersion's form) as 12.4."""
    v = int(n)
    return f"{v // 1000}.{(v % 1000) // 10}"


def _cudnn_int(n: int) -> str:
    """cuDNN's version integer as major.minor.patch: 7102 -> 7.1.2 (cuDNN 8 and older), 90100 -> 9.1.0 (cuDNN 9)."""
    major, rest = (n // 1000, n % 1000) if n < 10000 else (n // 10000, n % 10000)
    return f"{major}.{rest // 100}.{rest % 100}"


def _driver_int(mo, line):
    if not mo.group(1):                  # the same without the driver's CUDA (the text cut after 'too old')
        return C.DRIVER_OLD, {"subject": ""}
    n = int(mo.group(1))
    return C.DRIVER_OLD, {"subject": "", "driver_cuda": _cuda_int(mo.group(1)), "driver_int": str(n)}


def _requirement(mo, line):
    p = {"subject": mo.group(2), "what": mo.group(1).lower(), "need": mo.group(2)}
    have = re.match(r"\s{0,2}\(cuda=(\d+(?:\.\d+)*)\)", mo.string[mo.end():mo.end() + 40])   # the CDI modifier's
    if have and p["what"] == "cuda":
        p["host_cuda"] = have.group(1)
    return C.CONTAINER_REQ, p


def _brand_requirement(mo, line):
    """'unsatisfied condition: brand = tesla': the last alternative of the image's NVIDIA_REQUIRE_CUDA ('cuda>=10.0
    brand=tesla,driver>=384,driver<385 ...', the older Tesla drivers it also accepts) failed, so the whole requirement
    did: the host driver runs a CUDA older than the image's, as its --require=cuda>= says."""
    need = re.search(r"(?:--require=|NVIDIA_REQUIRE_CUDA=)\W{0,2}cuda\s{0,2}>=\s{0,2}(\d+(?:\.\d+)*)",
                     mo.string[max(0, mo.start() - 3000):mo.start()])
    if not need:
        return None
    return C.CONTAINER_REQ, {"subject": need.group(1), "what": "cuda", "need": need.group(1)}


def _v1_requirement(mo, line):
    """nvidia-docker 1's 'unsupported CUDA version: driver 7.5 < image 8.0.61': the image's com.nvidia.cuda.version
    label against the CUDA the driver runs (cudaDriverGetVersion)."""
    need = ".".join(mo.group(2).split(".")[:2])
    return C.CONTAINER_REQ, {"subject": need, "what": "cuda", "need": need, "host_cuda": mo.group(1)}


def _arch(mo, line):
    """PyTorch's 'sm_120 is not compatible with the current PyTorch installation': this torch build has no kernels for
    the GPU's architecture (the same cause as 'no kernel image', said before any kernel runs)."""
    sm = mo.group(1).lower()
    after = mo.string[mo.end():mo.end() + 400]          # the list may follow on the next line
    have = re.search(r"supports CUDA capabilities((?:\s+(?:sm|compute)_\d+a?)+)", line) or \
        re.search(r"^\W{0,20}The current PyTorch install supports CUDA capabilities((?:\s+(?:sm|compute)_\d+a?)+)", after)
    gpu = re.search(r"((?:NVIDIA )?(?:GeForce |Quadro |Tesla |RTX )?[\w\- ]{2,40}?) with CUDA capability", line)
    p = {"subject": sm, "sm": sm}
    if have:
        p["build_archs"] = " ".join(have.group(1).split())
    if gpu:
        p["gpu"] = gpu.group(1).strip()
    nums = [int(n) for n in re.findall(r"sm_(\d+)", p.get("build_archs", ""))]
    if nums and int(sm[3:]) < min(nums):
        # older than every architecture the build has: the build dropped this GPU (too old), not a build to widen
        return C.GPU_ARCH, dict(p, too_old="yes")
    return C.NO_KERNEL, p


def _torch_cc(mo, line):
    """torch's own check of the GPU against the build (torch/cuda/__init__.py _check_capability): 'Found GPU0 NVIDIA
    GeForce RTX 5090 which is of compute capability (CC) 12.0.' then the build's list, and either 'does not include
    kernels for this GPU. Reinstall the same version against a CUDA build that does' (another build of the release
    has them) or 'No published PyTorch CUDA builds for release X support this GPU' (the release dropped it)."""
    sm = f"sm_{mo.group(2)}{mo.group(3)}"
    after = mo.string[mo.end():mo.end() + 3000]
    built = re.findall(r"^\W{0,6}(\d{1,2})\.(\d) which supports hardware CC", after, re.MULTILINE)
    p = {"subject": sm, "sm": sm, "gpu": mo.group(1).strip()}
    if built:
        p["build_archs"] = " ".join(f"sm_{a}{b}" for a, b in built)
    if re.search(r"No published PyTorch CUDA builds for release", after):
        return C.GPU_ARCH, dict(p, too_old="yes")
    return C.NO_KERNEL, p


def _conda_virtual(mo, line):
    """A conda solver's virtual package unmet: __cuda (the CUDA the driver supports, read from libcuda or nvidia-smi
    where the solver runs) missing or too old, or __glibc too old. conda lists the machine's virtual packages as
    'feature:/linux-64::__cuda==11.4=0' and each requirement as '... -> __cuda[version='>=12.1']' (or bare, under
    'pytorch-cuda=12.1'); mamba says 'requires __cuda >=12, which is missing on the system'; pixi "Virtual package
    '__cuda >=12' does not match any of the available virtual packages on your machine: [..., __cuda=12.2=0]". One
    finding per package, for the highest version asked; none where the machine's own meets it."""
    pkg = mo.group(1)
    window = mo.string[max(0, mo.start() - 1500):mo.end() + 1500]
    asks = re.findall(r"(?<!::)\b" + pkg + r"(?:\[version=['\"]([^'\"\]]{1,40})['\"]\]|\s{0,2}(>=?\s{0,2}[\d.]{1,12}))",
                      window)
    nums = [v for a, b in asks for v in re.findall(r">=?\s{0,2}(\d+(?:\.\d+)*)", a or b)]
    if pkg == "__cuda":           # 'pytorch-cuda=12.1 -> __cuda': the CUDA the requiring package is for
        nums += re.findall(r"\b(?:pytorch-cuda|cuda-version|cudatoolkit)\s{0,2}=?=\s{0,2}(\d{1,2}\.\d{1,2})\b[^\n]{0,80}->[^\n]{0,80}"
                           r"__cuda", window)
    need = max(nums, key=_version_key, default="")
    own = re.search(r"(?:::|\b)" + pkg + r"==?([\d.]{1,12})=", window)      # conda's feature line, pixi's list
    installed = re.search(r"Your installed version is:\s{0,3}([\w.]{1,20})", window)
    named = re.findall(r"->\s{0,2}(__\w{2,20})", window)
    have = own.group(1) if own else ""
    if not have and installed and set(named) <= {pkg}:         # conda's one line, when no other package is asked
        have = installed.group(1) if re.match(r"\d", installed.group(1)) else ""
    if have and need and _version_key(have) >= _version_key(need):
        return None                                             # the machine meets this one: another package failed
    p = {"subject": pkg, "conda_virtual": pkg, "need": need}
    if pkg == "__glibc":
        return C.GLIBC, dict(p, have=have)
    if have:
        return C.DRIVER_OLD, dict(p, driver_cuda=have, runtime_cuda=need)
    return C.NO_DRIVER, p


def _arch_old(mo, line):
    sm = f"sm_{mo.group(1)}{mo.group(2)}"
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "too_old": "yes"}


def _glibc(mo, line):
    p = {"subject": mo.group(1), "need": mo.group(1)}
    by = re.search(r"required by ([^\s)'\"`]+)", line)
    if by:
        p["required_by"] = by.group(1)
    return C.GLIBC, p


def _glibcxx(mo, line):
    p = {"subject": mo.group(1), "need": mo.group(1)}
    prov = re.search(r"(/\S*libstdc\+\+\.so\.6)", line)
    if prov:
        p["provider"] = prov.group(1).strip("`'\"")
    by = re.search(r"required by ([^\s)'\"`]+)", line)
    if by:
        p["required_by"] = by.group(1)
    return C.LIBSTDCXX, p


# torch's companion packages, released in lockstep with it: their compiled libraries need that torch's symbols
# torch_xla's _XLAC.cpython-*.so (top level in site-packages; torch_xla/__init__.py does 'import _XLAC') is built
# against one torch release: pytorch/xla#2259, #2815, #8813, google-research-datasets/Objectron#18 (torch reinstalled
# or upgraded beside it; fixed by the torch release of the same version)
COMPANION_LIB = re.compile(r"(?:^|[/\\])(?:lib)?(torchvision|torchaudio|torchtext|torchdata|torchcodec|_torch_sox|"
                           r"torch_xla|_XLAC)(?=[/\\.]|_cuda_functions\.|$)")
COMPANION_PACKAGE = {"_torch_sox": "torchaudio", "_XLAC": "torch_xla"}
TORCH_NS = re.compile(r"^_Z(?:T[IVS])?N?K?\d*(?:3c10|2at|5torch|6caffe2|8pybind11)|^aoti_torch_")   # aoti_torch_*: torch's C shim
# a CUDA library's symbol missing from a library that ships linked (libtorch_cuda.so needing ncclCommRegister, the
# driver API cuXxx, nvJitLink's release-suffixed names) means an older release of that library was loaded; from an
# extension built here (a JIT op under torch_extensions, a build tree) it can also mean one never linked against it
CUDA_LIB_SYMBOL = re.compile(r"^_*(cublas|cusparse|cusolver|cufft|curand|cudnn|nccl|nvrtc|cuda|nvJitLink|cu(?=[A-Z]))")
LOCAL_BUILD = re.compile(r"/torch_extensions/|/ops/|/build/")


# the C++ standard library's own symbols (std::runtime_error, std::__cxx11::basic_string): a libstdc++ runtime older
# than the one the binary was built with (or the other C++ ABI)
STD_SYMBOL = re.compile(r"^_ZN?K?St|^_ZSt")
# the CUDA runtime's entry points that nvcc puts in every binary it compiles: kernel launch stubs (nvcc 9.2 and later)
# and fat binary registration (CUDA 10.1 and later). One missing means the binary was compiled by an nvcc newer than
# the CUDA runtime it loaded: for a torch extension, built with another CUDA than torch's
NVCC_STUB = re.compile(r"^__cuda(?:PushCallConfiguration|PopCallConfiguration|RegisterFatBinaryEnd)$")


def _undefined(mo, line):
    sym, version = mo.group(1).rstrip("*").replace("*", "_"), mo.group(2)     # '*ZNK3c10...*is_contiguous': markdown ate the '_'
    head = line[:line.find(mo.group(0))] if mo.group(0) in line else line
    obj = re.search(r"([^\s'\"`(]{1,400}\.so[\w.]{0,40}):\s*(?:undefined )?$", head[-500:].rstrip())
    if not obj and not head.strip():       # 'X.so: ' wrapped onto the line before 'undefined symbol'
        obj = re.search(r"([^\s'\"`(]{1,400}\.so[\w.]{0,40}):\s*$", mo.string[max(0, mo.start() - 500):mo.start()])
    found = _symbol_cause(sym, version, obj.group(1) if obj else "")
    if found[0] == C.TOOLKIT_MISMATCH and _other_gpu(mo):
        return None                        # a hipified launch stub in a ROCm build: not nvcc's, not NVIDIA's
    return found


# macOS dyld's words for an undefined symbol: 'dlopen(<path>.so, 0x0002): Symbol not found: __ZN2at...' with
# 'Referenced from: <uuid> <path>' and 'Expected in: <uuid> <library>' (older dyld: 'symbol not found in flat
# namespace'); Mach-O names carry one more leading underscore than ELF's
DYLD_REFERENCED = re.compile(r"\bReferenced from:\s{0,4}(?:<[\w-]{1,40}>\s{0,4})?(\S{1,400})")


def _dyld_symbol(mo, line):
    sym = mo.group(1) or mo.group(2)
    sym = sym[1:] if sym.startswith("_") else sym
    window = mo.string[max(0, mo.start() - 500):mo.end() + 600]
    if not re.search(r"\bdlopen\(|\bdyld\b|\bReferenced from:", window):
        return None
    obj = re.search(r"dlopen\(([^,\s]{1,400}\.(?:so|dylib)),", window) or DYLD_REFERENCED.search(window)
    found = _symbol_cause(sym, None, obj.group(1) if obj else "")
    return found if found[0] in (C.EXT_ABI, C.COMPANION) else None


def _symbol_cause(sym, version, obj):
    """An undefined symbol's cause from whose it is: torch's (an extension or a companion built for another torch),
    the C++ standard library's, a CUDA library's (another release of it loaded), or another's."""
    p = {"subject": sym, "symbol": sym}
    if version:
        p["version_node"] = version
    if obj:
        p["object"] = obj
    node_stem = cudalibs.catalog_stem(version) if version and version.startswith("lib") else None
    if TORCH_NS.match(sym):
        owner = COMPANION_LIB.search(p.get("object", ""))
        if owner:           # torchvision's _C.so, torchaudio's libtorchaudio.so: a companion built for another torch
            pkg = COMPANION_PACKAGE.get(owner.group(1), owner.group(1))
            return C.COMPANION, dict(p, subject=pkg, package=pkg)
        return C.EXT_ABI, p
    if STD_SYMBOL.match(sym) and not version:
        return C.LIBSTDCXX, dict(p, need="", std_symbol=sym)
    if NVCC_STUB.match(sym) and not version:
        return C.TOOLKIT_MISMATCH, dict(p, subject=sym, nvcc_stub=sym)
    lib = CUDA_LIB_SYMBOL.match(sym)
    if node_stem or (not version and lib):
        if version:
            p["library"] = version
        elif lib.group(1) not in ("cu", "cuda"):
            p["library"] = "lib" + lib.group(1)
        if not version and lib and p.get("object") and LOCAL_BUILD.search(p["object"]):
            p["unlinked"] = lib.group(1)
            return C.UNDEFINED, p
        if (node_stem or "").startswith("libcudnn") or (not version and lib.group(1) == "cudnn"):
            # a cuDNN function the loaded cuDNN does not export (or not at that version node: 'symbol X version
            # libcudnn.so.7 not defined'): another cuDNN release than the one built against, found first
            return C.CUDNN_MISMATCH, dict(p, subject="libcudnn", cudnn_symbol="yes")
        if not version and lib.group(1) == "cu":
            # the driver API (cuGreenCtxDestroy, cuCtxCreate_v4) lives in libcuda, which the driver installs: a symbol
            # missing there means the driver is older than the CUDA the code was built for
            return C.DRIVER_OLD, dict(p, subject="", driver_api="yes")
        return C.CUDA_SYMBOL, p
    return C.UNDEFINED, p


def _plain_dll(mo, line):
    """A Windows DLL named alone ('Error loading X.dll', 'Unable to open library: X.dll'): not on the DLL search path."""
    name = next(g for g in mo.groups() if g)
    if name.lower() in WINDOWS_DRIVER_DLLS and _other_gpu(mo):
        return None                        # no NVIDIA GPU in use: the search for its driver is expected to fail
    return _soname_code(name), {"subject": name, "soname": name, "plain_dll": name}


def _bad_arch_dll(mo, line):
    """Windows' error 193 (ERROR_BAD_EXE_FORMAT) for a plain DLL the loader found: a build for another architecture. A
    CUDA library's DLL (cudnn_cnn_infer64_8.dll) is left to the lines beside it, as _dll leaves it."""
    if re.search(r"64_\d{1,3}(?:_\d{1,2})?\.dll$", mo.group(1), re.IGNORECASE):
        return None
    return C.MISSING_LIB, {"subject": mo.group(1), "soname": mo.group(1), "plain_dll": mo.group(1), "bad_arch": "yes"}


def _jcuda(mo, line):
    """JCuda's native library that did not load: it links against the CUDA libraries of the release its version names
    (JCuda 0.8.0 is CUDA 8.0, 10.2.0 is CUDA 10.2), which were not found (another CUDA installed, or none on PATH)."""
    major, minor = int(mo.group(2)), int(mo.group(3))
    cuda = f"{minor}.0" if major == 0 else f"{major}.{minor}"
    return C.MISSING_LIB, {"subject": mo.group(1), "soname": mo.group(1), "jcuda": mo.group(1), "cuda": cuda,
                           "os": mo.group(4)}


# the torch a log names (ultralytics' banner 'torch-2.1.0+cpu', pip's 'torch==2.1.0+cpu' or 'torch 2.1.0+cu121',
# collect_env's 'PyTorch version: 2.3.0+cu121'): a CPU-only build, or a CUDA build (also 'torch.version.cuda: 12.1')
TORCH_NAMED = r"\b(?:torch|PyTorch)(?:[- ]|==|\s{1,4}version:?\s{0,4})v?(\d{1,2}\.\d{1,3}(?:\.\d{1,3})?\+"
CPU_TORCH_SHOWN = re.compile(TORCH_NAMED + r"cpu)\b", re.IGNORECASE)
CUDA_TORCH_SHOWN = re.compile(TORCH_NAMED + r"cu\d{2,3})\b|\btorch\.version\.cuda\W{0,6}\d{2}\.\d", re.IGNORECASE)


def _gpu_check(mo, line):
    """A program's own check that torch sees a CUDA GPU failed (torch.cuda.is_available() False): most often a CPU-only
    torch. Where the log itself says torch saw a GPU (ultralytics' 'torch.cuda.is_available(): True') the index asked
    for is not there; where it names a CUDA build of torch, no GPU is visible to it; on a Mac there is no CUDA at all."""
    text = mo.string[:20000]
    if re.search(r"\bis_available\(\):?\s{0,3}True\b", text):
        return C.NO_DEVICE, {"subject": "", "ordinal": "yes"}
    if re.search(r"\bApple (?:M\d|Silicon)|\bdevice=mps\b|\bmacOS\b|\bDarwin\b", text):
        return None
    if CUDA_TORCH_SHOWN.search(text):
        return C.NO_DEVICE, {"subject": "", "cuda_torch": "yes"}
    return C.TORCH_CPU, {"subject": "", "gpu_check": "yes"}


def _ollama_driver(mo, line):
    """Ollama's cuda_compat.go: slog.Warn("NVIDIA driver too old", "device", ..., "driver", driver, "required_driver",
    "550 or newer"): its bundled CUDA backend needs a newer driver, so it drops the GPU and runs on the CPU."""
    p = {"subject": ""}
    need = re.search(r"required_driver=\W{0,2}(\d{3})", line)
    have = re.search(r"\bdriver=\W{0,2}(\d{3}(?:\.\d{1,3}){0,2})", line)
    if need:
        p["min_driver"] = need.group(1)
    if need and have:
        p["have_driver"] = have.group(1)
    return C.DRIVER_OLD, p


def _have_driver(mo) -> Dict[str, str]:
    have = re.search(r"[Yy]our (?:NVIDIA )?(?:GPU )?driver version is:? (\d{3}(?:\.\d{1,3}){0,2})",
                     mo.string[mo.start():mo.end() + 300])
    return {"have_driver": have.group(1)} if have else {}


def _version_node(mo, line):
    """The loader's 'version libX.so.N not defined in file libX.so.N': the binary was linked against a release of
    that CUDA library whose version node the one loaded lacks (mixed releases), like an undefined versioned symbol."""
    node = mo.group(1)
    if not cudalibs.catalog_stem(node):
        return None
    return C.CUDA_SYMBOL, {"subject": node, "symbol": "", "version_node": node, "library": node}


def _cudnn(mo, line):
    def v(s):
        nums = re.findall(r"\d+", s)
        if len(nums) == 1 and len(nums[0]) >= 4:       # 7102 -> 7.1.2, 90100 -> 9.1.0
            return _cudnn_int(int(nums[0]))
        return ".".join(nums)
    built, found = v(mo.group("built") or ""), v(mo.group("found"))
    return C.CUDNN_MISMATCH, {"subject": found, "built": built, "found": found}


def _jax_cuda_lib(mo, line):
    """JAX's own check: 'Found cuSOLVER version 11002, but JAX was built against version 11401': another release of
    a CUDA library than jaxlib's (a mixed stack), like an undefined versioned symbol."""
    name = mo.group(1)
    return C.CUDA_SYMBOL, {"subject": name, "library": name, "found": mo.group(2), "built": mo.group(3)}


def _toolkit(mo, line):
    if not mo.group("nvcc"):         # the same check, the toolkit's version left out where the message was quoted
        return C.TOOLKIT_MISMATCH, {"subject": "", "torch": mo.group("torch"), "old_wording": "yes"}
    return C.TOOLKIT_MISMATCH, {"subject": mo.group("nvcc"), "nvcc": mo.group("nvcc"), "torch": mo.group("torch")}


def _nvml(mo, line):
    p = {"subject": ""}
    if "display driver" in mo.group(0).lower():
        p["error_803"] = "yes"
    lib = re.search(r"NVML library version:\s*([\d.]+)", line)
    if lib:
        p["nvml_library"] = lib.group(1)
    return C.NVML_MISMATCH, p


def _nccl(strong: bool):
    """NCCL's shared-memory failures ('Call to shm_open failed', 'posix_fallocate failed: No space left on device'):
    strong evidence of a small /dev/shm; a bare 'unhandled system error' is weak (it has other causes too)."""
    def f(mo, line):
        p = {"subject": "/dev/shm"}
        if not strong:
            p["weak"] = "yes"
        return C.NCCL_SHM, p
    return f


def _operator(mo, line):
    """'operator torchvision::nms does not exist': the namespace's package registers its ops for another torch."""
    pkg = re.sub(r"_ns$", "", mo.group(1))        # torchcodec registers its ops as torchcodec_ns::
    return C.COMPANION, {"subject": f"{mo.group(1)}::{mo.group(2)}", "package": pkg, "op": mo.group(2)}


def _nvenc(mo) -> Dict[str, str]:
    """FFmpeg's NVENC API check, with the minimum driver its next line names."""
    p = {"subject": "", "nvenc_api": mo.group(1), "nvenc": "yes"}
    need = re.search(r"minimum required Nvidia driver for nvenc is (\d{3}(?:\.\d{1,3}){0,2})",
                     mo.string[mo.end():mo.end() + 400])
    if need:
        p["min_driver"] = need.group(1)
    return p


def _torchao_skip(mo, line):
    """torchao's 'Skipping import of cpp extensions due to incompatible torch version 2.7.1+cu128 for torchao version
    0.15.0' (torchao/__init__.py, pytorch/ao#2919): its compiled kernels match only the torch they were built with,
    so it goes on without them (an advisory a failure after it leads)."""
    return C.COMPANION, {"subject": "torchao", "package": "torchao", "torchao_version": mo.group(2),
                         "have": mo.group(1), "advisory": "yes"}


def _built_for(mo, line):
    """'xFormers was built for: PyTorch 2.0.1+cu118 with CUDA 1108 (you have 2.1.0+cu121)': another torch than the
    one installed; '(you have 2.1.2+cpu)' is a CPU-only torch."""
    pkg, built, have = mo.group(1).strip(), mo.group(2), mo.group(3)
    p = {"subject": pkg, "package": pkg, "built": built, "have": have}
    return (C.TORCH_CPU if have.endswith("+cpu") else C.COMPANION), p


def _rejected(major: str, minor: str, gpu: str, by: str, **more: str):
    """A program's own rejection of a GPU by its compute capability (HOOMD-blue's, PG-Strom's, SuperBench's)."""
    sm = f"sm_{major}{minor}"
    return C.GPU_ARCH, dict({"subject": sm, "sm": sm, "have_cc": f"{major}.{minor}", "gpu": gpu, "rejected_by": by},
                            **more)


def _benchmark_arch(mo, line):
    """SuperBench's 'Unsupported architecture - benchmark: X, compute capability: 8.9, supports 7.0 ...': the
    capability is not in the benchmark's own list (nothing where it is)."""
    supported = mo.group(4).split()
    if f"{mo.group(2)}.{mo.group(3)}" in supported:
        return None
    return _rejected(mo.group(2), mo.group(3), "this GPU", f"the benchmark {mo.group(1)}", supported=" ".join(supported))


def _ld_needed(mo, line):
    """The link editor's 'warning: X, needed by Y, not found': a library a linked library needs, missing at link time."""
    res = _missing()(mo, line)
    return (res[0], dict(res[1], ld_needed="yes")) if res else None


def _vulkan(mo, line):
    """Vulkan's incompatible driver where the text is an NVIDIA GPU's (Omniverse, Isaac Sim): not Mesa's, AMD's or
    MoltenVK's, whose loaders say the same."""
    text = mo.string[:20000]
    if re.search(r"\b(?:radv|amdgpu|AMD|Radeon|Mesa|MoltenVK|macOS|Intel(?:\(R\))? (?:UHD|Iris|Arc)|llvmpipe)\b", text):
        return None
    if not re.search(r"nvidia|omniverse|isaac|\bkit\b|carb\.|\brtx\b|geforce|quadro|tesla", text, re.IGNORECASE) and \
            "vkCreateInstance failed" not in mo.group(0):
        return None
    return C.DRIVER_OLD, {"subject": "", "vulkan": "yes"}


def _oom(mo, line):
    p = {"subject": ""}
    allowed = mo.string.find("would exceed allowed memory", max(0, mo.start() - 200), mo.end() + 200)
    if allowed >= 0:
        line = mo.string[allowed:allowed + 800]            # its figures are on the lines under it
    for key, rx in (("tried", r"Tried to allocate ([\d.]+ [KMGT]?i?B)|\bRequested\s{0,30}:\s{0,3}([\d.]+ [KMGT]?i?B)"),
                    ("total", r"([\d.]+ [KMGT]?i?B) total capacity|total capac?i?ty of ([\d.]+ [KMGT]?i?B)|"
                              r"\bDevice limit\s{0,30}:\s{0,3}([\d.]+ [KMGT]?i?B)"),
                    ("fraction_limit", r"\bset by user-supplied memory fraction\)\s{0,40}:\s{0,3}([\d.]+ [KMGT]?i?B)"),
                    ("free", r"of which ([\d.]+ [KMGT]?i?B) is free|([\d.]+ [KMGT]?i?B) free"),
                    ("in_use", r"this process has ([\d.]+ [KMGT]?i?B) memory in use"),
                    ("gpu", r"\bGPU (\d+)\b")):
        m = re.search(rx, line)
        if m:
            p[key] = next(g for g in m.groups() if g)
    return C.CUDA_OOM, p


def _oom_stated(mo, line):
    """A program's own memory check with the sizes it states: T-Rex's 'Required: 5.02 GB, free: 5.01 GB', XLA's
    rematerialization 'only reduced to 49.62GiB'. Not a device's storage ('INSTALL_FAILED_INSUFFICIENT_STORAGE',
    'free memory (storage)'), nor a TPU's."""
    line = _near(mo)
    remat = "rematerialization" in mo.group(0)
    if re.search(r"\bstorage\b|\bdisk\b|/dev/sd|install the app", line, re.IGNORECASE) or \
            (remat and mo.string.find("TPU", 0, 20000) >= 0 and re.search(r"\bTPU\b", mo.string[:20000])):
        return None
    p = {"subject": ""}
    for key, rx in (("needed", r"Required:?\s*([\d.]+)\s?([KMGT]i?B)|only reduced to ([\d.]+)\s?([KMGT]i?B)"),
                    ("free", r"\bfree:?\s*([\d.]+)\s?([KMGT]i?B)"),
                    ("total", r"\btotal:?\s*([\d.]+)\s?([KMGT]i?B)")):
        m = re.search(rx, line, re.IGNORECASE)
        if m:
            num, unit = [g for g in m.groups() if g][:2]
            p[key] = f"{num} {unit}"
    if remat:
        p["advisory"] = "yes"           # XLA's warning: the run may go on; a failure after it leads
    return C.CUDA_OOM, p


def _numpy(mo, line):
    """NumPy's ABI between a compiled module and the NumPy installed. Cython's 'X size changed ... Expected A from C
    header, got B from PyObject' is an error where the running type is smaller (B < A) and only a warning where it
    is larger, which the module copes with: a RuntimeWarning with B > A is not a failure. (Which NumPy is newer
    the sizes do not say: NumPy 2's dtype is smaller than 1.x's.)"""
    have = re.search(r"cannot be run in\s+NumPy ([\d.]*\d)", line)
    sizes = re.search(r"Expected (\d{1,5})(?: from C header)?, got (\d{1,5})", line)
    if sizes and int(sizes.group(2)) > int(sizes.group(1)) and re.search(r"Warning", line):
        return None
    return C.NUMPY_ABI, {"subject": "numpy", "numpy": have.group(1) if have else ""}


def _third_party(mo, line):
    """Paddle's 'The third-party dynamic library (cudnn64_8.dll) that Paddle depends on is not configured correctly':
    the library in brackets did not load (on Linux it names libcudnn.so)."""
    name = mo.group(1)
    dll = re.match(r"([A-Za-z_]{2,40}?)64_(\d{1,3})\.dll$", name)
    if not dll:
        return _soname_code(name), {"subject": name, "soname": name}
    so = f"lib{dll.group(1)}.so.{dll.group(2)}"
    return _soname_code(so), {"subject": so, "soname": so, "dll": name}


def _lib_names(mo, line):
    """A dynamic loader's list of names it tried ('Unable to find cuda lib under the names ["cuda", "nvcuda"]',
    cudarc): the first is the Linux library's stem."""
    names = re.findall(r"[\w+\-.]+", mo.group(1))
    if not names:
        return None
    so = names[0] if names[0].startswith("lib") else "lib" + names[0] + ".so"
    return _soname_code(so), {"subject": names[0], "soname": so}


def _not_built_with_cuda(mo, line):
    """'xFormers wasn't build with CUDA support': a companion package whose CUDA ops did not load (a wheel built for
    another torch or CUDA than the one installed); torch saying it of itself is a CPU-only torch."""
    pkg = mo.group(1)
    if pkg.lower() in ("torch", "pytorch"):
        return C.TORCH_CPU, {"subject": "torch"}
    op = re.search(r"No operator found for\s*[`'\"]?(\w{1,120})", mo.string)
    return C.COMPANION, {"subject": op.group(1) if op else pkg, "package": pkg}


def _nvrtc_builtins(mo, line):
    """NVRTC's 'failed to open libnvrtc-builtins.so.11.6' / 'failed to load builtins': the library that ships with
    libnvrtc (same CUDA major.minor) is not on the loader's path."""
    so = (mo.group(1) or "").rstrip(".")
    so = so if re.search(r"\.so\.\d", so) else "libnvrtc-builtins"
    return C.MISSING_LIB, {"subject": so, "soname": so}


def _nvcc_arch(mo, line):
    """nvcc's 'Unsupported gpu architecture 'compute_86'': the CUDA toolkit compiling is older than the GPU."""
    sm = "sm_" + mo.group(1)
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "nvcc": "yes"}


def _cmake_arch(mo, line):
    """CMake's 'Unknown CUDA Architecture Name 12.1 in CUDA_SELECT_NVCC_ARCH_FLAGS' (FindCUDA's
    select_compute_arch.cmake): the build's architecture table predates the GPU."""
    cc = f"{mo.group(1)}.{mo.group(2)}"
    sm = f"sm_{mo.group(1)}{mo.group(2)}"
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "cmake": "yes", "cc": cc}


def _ngc_gpu(mo, line):
    """An NGC container's entrypoint (its deviceQuery check): 'WARNING: Detected X GPU, which is not yet supported in
    this version of the container' (a GPU newer than its builds), 'ERROR: Detected X GPU, which is not supported by this
    container' (below its minimum architecture), 'ERROR: No supported GPU(s) detected to run this container' (the line after either: it yields to them)."""
    if mo.group(3) is not None:
        if re.search(r"Detected [^\n]{1,80}? GPU, which is not", mo.string[max(0, mo.start() - 600):mo.start()]):
            return None
        return C.NO_KERNEL, {"subject": "", "gpu": "", "ngc_gpu": "either", "advisory": "yes"}
    gpu = re.sub(r"^(?:NVIDIA\s+)+", "NVIDIA ", mo.group(1).strip())
    if mo.group(2) is not None:
        return C.NO_KERNEL, {"subject": gpu, "gpu": gpu, "ngc_gpu": "newer", "advisory": "yes"}
    return C.GPU_ARCH, {"subject": gpu, "gpu": gpu, "sm": "", "ngc_gpu": "older", "advisory": "yes"}


def _nvcc_arch_cc(major: str, minor: str):
    """A build's toolkit older than the GPU of compute capability major.minor (as nvcc's 'Unsupported gpu
    architecture')."""
    sm = f"sm_{major}{minor}"
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "nvcc": "yes"}


def _cuda_pair(mo, line):
    """torchvision's 'Detected that PyTorch and torchvision were compiled with different CUDA versions. PyTorch has
    CUDA Version=11.7 and torchvision has CUDA Version=11.8': a companion built for another torch build than the one
    installed."""
    pkg = mo.group(1)
    p = {"subject": pkg, "package": pkg}
    vers = re.search(r"PyTorch has CUDA Version\s*=\s*([\d.]+)\s+and\s+\w+\s+has\s+CUDA\s+Version\s*=\s*([\d.]+)",
                     mo.string[mo.start():mo.end() + 300])
    if vers:
        p["torch_cuda"], p["pkg_cuda"] = vers.group(1).rstrip("."), vers.group(2).rstrip(".")
    else:
        p["cuda_pair"] = "yes"
    return C.COMPANION, p


def _dtype_cc(mo, line):
    """vLLM's 'Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your Tesla T4 GPU has
    compute capability 7.5': the GPU's architecture lacks that data type; another dtype runs on it."""
    p = {"dtype": mo.group(1).lower(), "need_cc": f"{mo.group(2)}.{mo.group(3)}"}
    have = re.search(r"Your ([^\n]{1,60}?) GPU has compute capability (\d+)\.(\d+)", line)
    if have:
        sm = f"sm_{have.group(2)}{have.group(3)}"
        p.update(subject=sm, sm=sm, gpu=have.group(1).strip())
    else:
        p.update(subject="sm_" + mo.group(2) + mo.group(3), sm="")
    return C.GPU_ARCH, p


def _ctypes_function(mo, line):
    """ctypes' "function 'cdequantize_blockwise_fp32' not found": the native library loaded lacks that function (an
    older or CPU-only build of it), as an undefined symbol."""
    sym = mo.group(1)
    lib = CUDA_LIB_SYMBOL.match(sym)
    if lib and lib.group(1) == "cu":
        return C.DRIVER_OLD, {"subject": "", "symbol": sym, "driver_api": "yes"}
    return C.UNDEFINED, {"subject": sym, "symbol": sym, "ctypes": "yes"}


# a GPU named in full in the log (as drivers and programs print it) of a generation current torch builds dropped
# (Kepler, Maxwell, Pascal): with 'no kernel image' the build lacks this GPU's architecture because the GPU is too old
OLD_GPUS = [(r"GeForce GTX 10[5-8]0|GTX TITAN Xp|TITAN Xp|Quadro P\d{3,4}|Tesla P(?:4|40)\b", "sm_61"),
            (r"Tesla P100", "sm_60"),
            (r"GeForce GTX (?:9[5-8]0|TITAN X)\b|Tesla M(?:4|6)0|Quadro M\d{3,4}", "sm_52"),
            (r"GeForce GTX 7[45]0\b", "sm_50"),
            (r"Tesla K80", "sm_37"),
            (r"GeForce GTX (?:6[5-9]0|7[6-8]0|TITAN\b)|Tesla K(?:10|20|40)\b", "sm_35")]
NAMED_GPU = re.compile(r"\b(?:NVIDIA|GPU\d*:?)\s+((?:GeForce |Tesla |Quadro )?(?:GTX |RTX )?[\w ]{2,30}?)(?:[,\n(]|$)")


def _no_kernel(mo, line):
    """'no kernel image is available': the build lacks this GPU's kernels. Where the log names the GPU in full and
    it is of a generation current torch builds no longer carry, that is the cause (the GPU is too old for them)."""
    for name in NAMED_GPU.finditer(mo.string):
        for rx, sm in OLD_GPUS:
            if re.search(rx, name.group(1)):
                return C.GPU_ARCH, {"subject": sm, "sm": sm, "too_old": "yes", "gpu": name.group(1).strip()}
    return C.NO_KERNEL, {"subject": ""}


def _ext_no_symbol(mo, line):
    """'flash_attn_2_cuda.cpython-311-x86_64-linux-gnu.so: undefined symbol' with the symbol cut off: a Python
    extension's undefined symbol is most often torch's (built for another torch), but the message does not show it."""
    obj = mo.group(1)
    return C.EXT_ABI, {"subject": obj.rsplit("/", 1)[-1], "object": obj, "symbol": "", "no_symbol": "yes"}


# Windows' error 127 (ERROR_PROC_NOT_FOUND) in the system's language: a DLL was loaded but lacks a function (a symbol)
# the module imports; error 126's 'The specified module could not be found' is a DLL not found. Chinese Windows'
# '找不到指定的程序' reads 'The specified program could not be found' translated back
PROC_NOT_FOUND = re.compile(r"\[WinError 127\]|specified (?:procedure|program) could not be found|找不到指定的程序|"
                            r"指定されたプロシージャが見つかりません|angegebene Prozedur wurde nicht gefunden|"
                            r"proc[ée]dure sp[ée]cifi[ée]e est introuvable|No se encontr[óo] el proceso especificado|"
                            r"указанная процедура", re.IGNORECASE)
# an extension module of torch's ecosystem (exllamav2_ext, flash_attn_2_cuda, torchvision's _C, xformers' _C_flashattention)
TORCH_EXT_NAME = re.compile(r"_ext$|_cuda$|^_C\w*$|_C$|torch|flash_attn|xformers|exllama|vllm|apex|deepspeed|"
                            r"bitsandbytes|sgl_kernel|mamba|causal_conv1d", re.IGNORECASE)


# a compiled module's generic name (custom_rasterizer_kernel, fused_ops): a torch extension only where the text is a
# torch program's (a ComfyUI node, torch's paths) and not another stack's
GENERIC_EXT_NAME = re.compile(r"_kernels?$|_ops$", re.IGNORECASE)
TORCH_CONTEXT = re.compile(r"\btorch\b|site-packages[\\/]torch|comfy|\bNode (?:Type|ID)\b", re.IGNORECASE)
OTHER_STACK = re.compile(r"\bjax(?:lib)?\b|tensorflow|\bgdal|arrow|numpy|scipy|sqlite|paddle|mxnet|onnxruntime",
                         re.IGNORECASE)


def _win_proc_not_found(name: str, module: str, text: str = ""):
    """'DLL load failed while importing X: The specified procedure could not be found': the DLLs were found, one of
    them lacks a function X imports (X built against another release of a DLL it uses: for a torch extension, torch's)."""
    p = {"subject": name, "object": name, "symbol": "", "win_proc": "yes", "module": module}
    head = text[:20000]
    torchish = bool(module) and (TORCH_EXT_NAME.search(module) is not None or (
        GENERIC_EXT_NAME.search(module) is not None and TORCH_CONTEXT.search(head) is not None
        and OTHER_STACK.search(head) is None))
    return (C.EXT_ABI if torchish else C.UNDEFINED), p


# Windows' error 1114 (ERROR_DLL_INIT_FAILED): the DLL was found and loaded, its DllMain failed (an old or missing
# Visual C++ runtime, conflicting DLLs): not a DLL missing
DLL_INIT_FAILED = re.compile(r"\[WinError 1114\]|\berror(?: code)?:?\s*1114\b|\bDLL\)? initiali[sz]ation routine failed|"
                             r"动态链接库\s*\(DLL\)\s*初始化例程失败|動態連結程式庫\s*\(DLL\)\s*初始化常式失敗|"
                             r"DLL-Initialisierungsroutine ist fehlgeschlagen|\(DLL\) a [ée]chou[ée]|"
                             r"\(DLL\)\s*初期化ルーチンの実行に失敗", re.IGNORECASE)


# Windows' error 1455 (ERROR_COMMITMENT_LIMIT): the page file cannot back the memory a DLL load commits; the DLL is
# there. English and Chinese wordings; the bare 'Error code 1455' is left to the reading of the rest of its line
PAGEFILE = re.compile(r"\[WinError 1455\]|\bThe paging file is too small for this operation to complete|"
                      r"页面文件太小，无法完成操作|頁面檔太小，無法完成操作")


def _win_dll_dependency(mo, line):
    """Windows' '[WinError 126] <the module could not be found, in the system's language> Error loading
    "...\\torch\\lib\\fbgemm.dll" or one of its dependencies', and Python's 'DLL load failed while importing X': the
    DLL named (or the extension module) is there, a DLL it depends on is not found (error 127's 'procedure could not
    be found' instead: a DLL found without a function it should export)."""
    if DLL_INIT_FAILED.search(line) or PAGEFILE.search(line):
        return None
    path = mo.group(1) or ""
    name = re.split(r"[\\/]+", path.strip("\\\"' "))[-1] if path else mo.group(2)
    if PROC_NOT_FOUND.search(line):
        return _win_proc_not_found(name, "" if path else mo.group(2), mo.string)
    p = {"subject": name, "soname": name, "dll": name, "win_dependency": "yes", "module": "" if path else mo.group(2)}
    if not path and not re.match(r"\s*[:(]?\s*\S", mo.string[mo.end():mo.end() + 80].split("\n")[0]):
        p["no_reason"] = "yes"      # the line ends at the module's name: Windows' reason (126 or 127) is cut off
    return C.MISSING_LIB, p


def _corrupt(mo, line):
    """A library there but unreadable. The driver's own (libcuda.so.1, libnvidia-ml.so.1) cut short or empty in a
    container is the placeholder the NVIDIA runtime mounts the host's copy over: a container started without it."""
    so = mo.group(1).strip("'\"`")
    return _soname_code(so), {"subject": so, "soname": so, "corrupt": mo.group(2)}


def _link_libcuda(mo, line):
    """The linker's 'cannot find -lcuda': a build (Triton's launcher, an extension) links against libcuda.so, the
    unversioned development link that only the driver's dev package (or the toolkit's stubs) provides."""
    so = f"lib{mo.group(1)}.so"
    return C.LIBCUDA, {"subject": "-l" + mo.group(1), "soname": so, "link": "yes"}


IMPORT_LINE = re.compile(r"^[ \t]*(?:from\s+([\w.]{1,120})\s+import|import\s+([\w.]{1,120}))", re.MULTILINE)


def _imported_module(mo) -> str:
    """The module of the last import line in the 3,000 characters before the match (a traceback's), or ''."""
    imp = IMPORT_LINE.findall(mo.string[max(0, mo.start() - 3000):mo.start()])
    return next((a or b for a, b in reversed(imp)), "") if imp else ""


def _win_dll_failed(mo, line):
    """'DLL load failed: The specified module could not be found.' (error 126, a dependency not found) or '...
    procedure could not be found' (127): the module being imported is not named, the traceback's import line is."""
    if PAGEFILE.search(line):
        return None
    module = _imported_module(mo)
    name = module or "the module being imported"
    if PROC_NOT_FOUND.search(mo.group(0)):     # torch's own _C: DLLs of mixed releases, not an extension's build
        return _win_proc_not_found(name, "" if module.split(".")[0] == "torch" else module, mo.string)
    return C.MISSING_LIB, {"subject": name, "soname": name, "dll": name, "win_dependency": "yes", "module": module}


def _torch_split(mo, line):
    """An extension's import asking for torch 1.x's split CUDA library: the module is named on the import line above."""
    module = _imported_module(mo)
    return C.EXT_ABI, {"subject": module or mo.group(1), "torch_split": mo.group(1), "module": module}


def _torch_variant(mo, line):
    """A package's native library asking for a torch backend library (libtorch_hip.so, libc10_cuda.so) the torch
    installed does not have: the package was built for a ROCm or CUDA torch and the torch here is another variant
    (a CPU-only torch has neither; a CUDA torch has no _hip library). A torch companion named in the text is the
    package; a _cuda library missing is, most often, a CPU-only torch."""
    lib = mo.group(1)
    module = _imported_module(mo)
    named = COMPANION_NAME.search(mo.string[max(0, mo.start() - 3000):mo.end() + 300])
    p = {"subject": lib, "torch_variant": lib, "variant": "ROCm" if "_hip" in lib else "CUDA", "module": module}
    if named:
        pkg = named.group(1).lower()
        return C.COMPANION, dict(p, package=pkg, subject=pkg)
    # a CUDA build of torch always has its _cuda libraries: the torch installed is not one, most often a CPU-only build
    return (C.TORCH_CPU if p["variant"] == "CUDA" else C.EXT_ABI), p


# torch's companions (packages with compiled ops built for one torch), as a traceback or a path names them
TORCH_COMPANIONS = "torchaudio|torchvision|torchtext|torchcodec|torchdata"
COMPANION_NAME = re.compile(r"\b(" + TORCH_COMPANIONS + r")\b", re.IGNORECASE)


def _win_module(mo, line):
    """Python's 'Could not find module 'C:\\...\\libtorchaudio.pyd' (or one of its dependencies)' (ctypes, os.add_dll_directory
    era): the module named is usually there and a DLL it depends on is not on the DLL search path."""
    name = re.split(r"[\\/]+", mo.group(1).strip())[-1]
    return C.MISSING_LIB, {"subject": name, "soname": name, "dll": name, "win_dependency": "yes", "module": "",
                           "search_path": "yes"}


# a warning that goes on without the feature ('..., falling back to float16'): not a failure
NO_FALLBACK = r"(?![^\n]{0,80}?\b(?:fall(?:ing|s)?\s?back|will use|will be used|switching to|instead)\b)"
GENERATIONS = {"kepler": "3.0", "maxwell": "5.0", "pascal": "6.0", "volta": "7.0", "turing": "7.5", "ampere": "8.0", "ada": "8.9", "hopper": "9.0", "blackwell": "10.0"}


def generation(cc: str) -> str:
    """The GPU generation of a compute capability ('8.6' -> Ampere): the first whose own is not above it."""
    major, minor = (int(x) for x in cc.split("."))
    best = "Kepler"
    for name, own in sorted(GENERATIONS.items(), key=lambda kv: float(kv[1])):
        a, b = (int(x) for x in own.split("."))
        if (a, b) <= (major, minor):
            best = name.capitalize()
    return best


def _cc_requirement(mo, line):
    """'requires sm_80 or higher', 'Please use a GPU with compute capability 8.0 or higher', ptxas' "Feature '.bf16'
    requires .target sm_80 or higher": code that needs a newer GPU generation than this one."""
    g = [x for x in mo.groups()]
    feature = g[0] or ""
    digits = g[1] or g[2] or ""
    need = f"{g[3]}.{g[4]}" if g[3] else f"{digits[:-1]}.{digits[-1]}"
    p = {"subject": "sm_" + need.replace(".", ""), "sm": "", "feature": f"the kernel's '{feature}'" if feature else
         "the program's GPU code", "need_gen": generation(need), "need_cc": need, "generic": "yes"}
    return C.GPU_ARCH, p


# the GPU's own compute capability where a message gives it after a requirement ('Your GPU has compute capability
# 8.6', 'device compute capability: 8.6', 'detected compute capability 8.6')
CC_HAVE = re.compile(r"(?:your|this|the|detected|device|current) (?:GPU|device|card)?\W{0,3}(?:has |is of )?(?:a )?"
                     r"(?:CUDA )?compute capability(?: is| of)?\W{0,3}(\d{1,2})\.(\d)\b", re.IGNORECASE)


# a compute capability named anywhere on a line ('found SM 9.0', 'detected SM90', 'Device sm_90', '(SM 8.0)')
ANY_CC = re.compile(r"(?:\bsm_?|\bSM ?|\bcompute capability:? |\bcapability:? )(\d{1,2})\.?(\d)\b", re.IGNORECASE)


def _other_cc(mo, line: str) -> str:
    """A compute capability on `line` outside the requirement's match `mo`: the GPU's own, where the line gives it."""
    off = _line_start(mo.string, mo.start())
    a, b = mo.start() - off, mo.end() - off
    for m in ANY_CC.finditer(line):
        if m.end() <= a or m.start() >= b:
            return f"{m.group(1)}.{m.group(2)}"
    return ""


def _version_key(v: str):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


def _meets(have: str, need: str) -> bool:
    """Whether the GPU's compute capability `have` ('' where unknown) is at or above `need`."""
    return bool(have) and _version_key(have) >= _version_key(need)


def _below_minimum(need: str, have: str):
    """A program's GPU code that needs compute capability `need`, on a GPU of `have` ('' where the text does not say)."""
    p = {"subject": "sm_" + need.replace(".", ""), "sm": "", "feature": "the program's GPU code",
         "need_gen": generation(need), "need_cc": need, "generic": "yes"}
    if have:
        p.update(have_cc=have, have_gen=generation(have))
    return C.GPU_ARCH, p


@functools.lru_cache(maxsize=8)
def _counts_gpus(text: str) -> bool:
    """The log also says another machine or node found GPUs ('Found 4 GPU(s)'): a cluster's report, not a failure.
    Cached per text (a string keeps its hash), so a log of many 'Found 0 GPU(s)' lines is read once."""
    return re.search(r"\bFound [1-9]\d{0,3} (?:CUDA )?GPU", text) is not None


def _only_supported_on(mo, line):
    """Only where a program said it: the feature is a code name (torch._scaled_mm) or an error was raised on the line;
    a README's 'FP8 is only supported on GPUs with compute capability >= 8.9' is not a failure."""
    before = mo.string[_near_span(mo)[0]: mo.start()]
    if not (mo.group(1) and re.search(r"[._(]", mo.group(1))) and not RAISED.search(before):
        return None
    need = min((v for v in (mo.group(2), mo.group(3)) if v), key=_version_key)
    code, p = _below_minimum(need, "")
    if mo.group(1):
        p.update(feature=mo.group(1), named_feature="yes")
    return code, p


def _named_minimum(mo, line):
    """A minimum compute capability for a named feature, with the GPU's own: AutoGPTQ's 'Can not use Marlin int4*fp16
    kernel with a device of compute capability (7, 5), the minimum compute capability is 8.0', pycuda's 'Minimum
    compute capability for dynamic parallelism is 3.5 (found: 3.0)!'. Nothing where the GPU's own meets it."""
    g = mo.groups()
    if g[1] is not None:
        feature, have, need = g[0], f"{g[1]}.{g[2]}", f"{g[3]}.{g[4]}"
    else:
        feature, need, have = g[5], f"{g[6]}.{g[7]}", f"{g[8]}.{g[9]}"
    if _meets(have, need):
        return None
    code, p = _below_minimum(need, have)
    if feature:
        p.update(feature=feature.strip(), named_feature="yes")
    return code, p


def _runtime_over_driver(runtime: str, driver: str, **extra):
    """A CUDA runtime (or bindings) for `runtime` on a driver for `driver`: a failure only across CUDA majors (within
    one, CUDA's minor-version compatibility runs it) and only with the runtime the newer."""
    r, d = _version_key(runtime), _version_key(driver)
    if r <= d or r[0] == d[0]:
        return None
    return C.DRIVER_OLD, dict({"subject": "", "runtime_cuda": runtime, "driver_cuda": driver}, **extra)


def _minimum_pair(mo, line):
    g = mo.groups()
    need = f"{g[0]}.{g[1]}" if g[0] else f"{g[4]}.{g[5]}"
    have = f"{g[2]}.{g[3]}" if g[2] else _other_cc(mo, line)
    return None if _meets(have, need) else _below_minimum(need, have)


def _cc_threshold(mo, line):
    """A program's minimum compute capability, said with a comparison: bitsandbytes' 'Compute capability < 7.5
    detected!', 'GPUs with compute capability below 8.0 are not supported', 'requires a GPU with compute
    capability >= 8.9', 'minimum compute capability 6.0 required, found 5.2', 'compute capability 6.1, which is
    lower than the minimum required (7.0)'. The GPU's own capability where the message gives it: at or above the
    minimum, the line is no failure."""
    g = [x for x in mo.groups()]
    pairs = [f"{g[i]}.{g[i + 1]}" for i in range(0, len(g), 2) if g[i] is not None]
    if len(pairs) == 2:           # the two-number forms: (need, have) or (have, need), by which alternative matched
        need, have = (pairs[0], pairs[1]) if g[8] is not None else (pairs[1], pairs[0])
    else:
        need, have = pairs[0], ""
        after = CC_HAVE.search(line, mo.end() - _line_start(mo.string, mo.start()))
        have = f"{after.group(1)}.{after.group(2)}" if after else _other_cc(mo, line)
    if _meets(have, need):
        return None
    if re.search(r"\b8-bit matmul|\bint8\b", line, re.IGNORECASE):
        return C.GPU_ARCH, {"subject": "sm_" + need.replace(".", ""), "sm": "", "program": "bitsandbytes",
                            "need_cc": need, "int8": "yes", "advisory": "yes"}
    code, p = _below_minimum(need, have)
    if g[0] is not None:          # 'Compute capability < X detected': a warning; the program goes on
        p["advisory"] = "yes"
    return code, p


def _cc_forms(mo, line):
    """Other programs' words for a minimum compute capability: numba's 'GPU compute capability 3.5 is not
    supported(requires >=5.0)' and 'has compute capability < (3, 5)', xFormers' 'Supported only on GPUs with compute
    capability 8.x', flash-attention's 'Unsupported compute capability. Supported: 8.x, ...', TransformerEngine's
    'compute capability 8.9 or higher required for FP8', DeepSpeed's 'use a GPU with compute capability >= 7.0',
    DeepSpeed-Kernels' 'Compute capability less than 80 is not supported', lmdeploy's 'requires sm>=9.0'."""
    g = mo.groups()
    have = f"{g[0]}.{g[1]}" if g[0] else ""
    pairs = [(g[2], g[3]), (g[4], g[5]), (g[6], "0"), (g[7], "0")] + [(g[i], g[i + 1]) for i in range(8, len(g), 2)]
    need = next(f"{a}.{b}" for a, b in pairs if a is not None)
    if g[-1] is not None:         # tiny-cuda-nn's 'compute capability 75 or higher, but got ... compute capability 70'
        have = f"{g[-2]}.{g[-1]}"
    if not have:
        have = _other_cc(mo, line)
    return None if _meets(have, need) else _below_minimum(need, have)


CT2_MIN_CC = {"float16": "7.0", "bfloat16": "8.0", "int8": "6.1"}


def _ct2_dtype(mo, line):
    """CTranslate2's 'Requested float16 compute type, but the target device or backend do not support efficient
    float16 computation': the GPU is below that type's minimum (its src/types.cc)."""
    dtype = mo.group(1)
    need = CT2_MIN_CC["int8" if dtype.startswith("int8") else dtype]
    return C.GPU_ARCH, {"subject": "sm_" + need.replace(".", ""), "sm": "", "dtype": dtype, "need_cc": need, "ct2": "yes"}


def _driver_cuda_forms(mo, line):
    """A program's check of the CUDA the driver runs against the CUDA it needs: Warp's 'requires CUDA driver 12.0 or
    higher, but the current driver only supports CUDA 11.4', CUDA.jl's 'requires an NVIDIA driver for CUDA 12.x or
    higher (yours only supports up to CUDA 11.4.0)', NeMo's 'Driver supports cuda toolkit version 12.2, but the driver
    needs to support at least 12,6'."""
    g = mo.groups()
    if g[0]:
        need, have = g[0], g[1]
    elif g[2]:
        need, have = g[2], g[3]
    else:
        need, have = f"{g[5]}.{g[6]}", g[4]
    return C.DRIVER_OLD, {"subject": need, "runtime_cuda": need, "driver_cuda": have}


def _cudarc_lib(mo, line):
    """cudarc's (Rust: candle) 'Unable to dynamically load the "cuda" shared library - searched for library names':
    the driver's libcuda, or a CUDA library of the toolkit, not found."""
    name = mo.group(1)
    if name == "cuda":
        return C.LIBCUDA, {"subject": "libcuda.so.1", "soname": "libcuda.so.1"}
    return C.MISSING_LIB, {"subject": "lib" + name, "soname": "lib" + name}


def _nvml_ret(mo, line):
    """NVML's return code printed as a number (DCGM's 'Cannot load NVML; ... ret: 18'): nvml.h's
    NVML_ERROR_DRIVER_NOT_LOADED = 9, NVML_ERROR_LIBRARY_NOT_FOUND = 12, NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18."""
    ret = mo.group(1)
    if ret == "9":
        return C.NO_DRIVER, {"subject": ""}
    if ret == "12":
        return C.LIBCUDA, {"subject": "nvml", "soname": "libnvidia-ml.so.1"}
    return C.NVML_MISMATCH, {"subject": ""}


def _feature_arch(mo, line):
    """'FlashAttention only supports Ampere GPUs or newer': a library's kernels need a GPU generation this one
    predates (no build changes that)."""
    return _generation_needed(mo.group(1).strip(), mo.group(2), line)


# a requirement as a document states it (a list item, a note, a requirements line), not as a program reports it
DOC_LINE = re.compile(r"^\s{0,8}(?:[-*•]\s|#{1,6}\s|>\s|\d{1,2}\.\s|(?:Note|Requirements?|Prerequisites?|Tip)\b:?)",
                      re.IGNORECASE)


def _generation_needed(feature, gen, line):
    """A GPU generation required; nothing where the line reads as a document's, or names the GPU's own capability
    at or above the requirement ('detected NVIDIA GeForce RTX 4090 (compute capability 8.9)')."""
    need = GENERATIONS[gen.lower()]
    if DOC_LINE.match(line) and not RAISED.search(line):
        return None
    have = CC_HAVE.search(line) or ANY_CC.search(line)
    if have and _meets(f"{have.group(1)}.{have.group(2)}", need):
        return None
    return C.GPU_ARCH, {"subject": "sm_" + need.replace(".", ""), "sm": "", "feature": feature,
                        "need_gen": gen, "need_cc": need}


def _dtype_device(mo, line):
    """'Current CUDA Device does not support bfloat16', transformers' 'Your setup doesn't support bf16/gpu': bfloat16
    needs an Ampere (compute capability 8.0) or newer GPU."""
    p = {"subject": "sm_80", "sm": "", "dtype": "bfloat16", "need_cc": "8.0"}
    if re.search(r"torch\s*>=", line):
        p["setup"] = "yes"
    return C.GPU_ARCH, p


def _ext_cc(mo, line):
    """tiny-cuda-nn's 'Could not find compatible tinycudann extension for compute capability 87': the package's
    compiled extension was built for other architectures than this GPU's."""
    num = mo.group(2)
    sm = "sm_" + num
    return C.NO_KERNEL, {"subject": sm, "ext_sm": sm, "package": mo.group(1)}


def _compile_cc(mo, line):
    """text-embeddings-inference's (candle's) 'Runtime compute cap 75 is not compatible with compile time compute cap
    80': the binary was compiled for one compute capability (its CUDA_COMPUTE_CAP) and this GPU has another."""
    have, built = mo.group(1), mo.group(2)
    return C.NO_KERNEL, {"subject": "sm_" + have, "runtime_cc": have, "compile_cc": built}


def _ptx_files(mo, line):
    """cuDF's 'This cuDF installation is missing the necessary PTX files that are <=50.' (cudf/utils/_numba.py: no
    shim_*.ptx of a compute capability at or below the GPU's): the GPU is older than the oldest the package ships."""
    pkg, cc = mo.group(1), mo.group(2) or ""
    sm = "sm_" + cc if cc else ""
    return C.GPU_ARCH, {"subject": sm or pkg, "sm": sm, "ptx_files": pkg}


def _ptxas_crash(mo, line):
    """Triton's '`ptxas` failed with error code 4294967295' (-1 on Windows): ptxas ended without a diagnostic; the
    threads found a GPU older than the kernel's instructions need (the repro command's --gpu-name says which)."""
    gpu = re.search(r"--gpu-name[= ](sm_\d{2,3})", mo.string[mo.start():mo.end() + 2000])
    sm = gpu.group(1) if gpu else ""
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "ptxas_crash": "yes"}


def _torch_required(mo, line):
    """sdnext's 'Likely incompatible Cuda with: xformers==0.0.23.dev662 installed: torch==2.1.0+cu121 required:
    torch==2.1.0+cu118': a companion built for another torch build than the one installed."""
    pkg, ver, have, built = mo.group(1), mo.group(2), mo.group(3), mo.group(4)
    p = {"subject": pkg, "package": pkg, "built": built, "have": have, "pkg_version": ver}
    return (C.TORCH_CPU if have.endswith("+cpu") else C.COMPANION), p


def _cuda_nnnn(num: str) -> str:
    """A CUDA version written as one number: 1108 -> 11.8 and 1210 -> 12.1 (xFormers), 12010 -> 12.1 (CUDA_VERSION),
    118 -> 11.8."""
    n = int(num)
    if n >= 10000:
        return _cuda_int(num)
    if n >= 1000:
        rest = n % 100
        return f"{n // 100}.{rest if rest < 10 else rest // 10}"
    return f"{n // 10}.{n % 10}"


def _ext_cuda_pair(mo, line):
    """xFormers' 'can't load C++/CUDA extensions. CUDA 1108 vs. CUDA 1210': its extensions were built with one CUDA
    and the torch installed has another."""
    pkg = mo.group(1)
    return C.COMPANION, {"subject": pkg, "package": pkg, "pkg_cuda": _cuda_nnnn(mo.group(2)),
                         "torch_cuda": _cuda_nnnn(mo.group(3))}


def _check_macro_oom(mo, line):
    """A C++ program's CUDA check macro that printed cudaGetErrorString's 'out of memory': the GPU's, unless the line
    is about pinned host memory or the log is another vendor's GPU stack."""
    return None if HOST_MEMORY.search(line) or _other_gpu(mo) else (C.CUDA_OOM, {"subject": ""})


def _cufft_half(mo):
    """torch's check of cuFFT's half-precision transforms against the GPU: they need compute capability 5.3."""
    code, p = _below_minimum(f"{mo.group(1)}.{mo.group(2)}", f"{mo.group(3)}.{mo.group(4)}")
    return code, dict(p, feature="the float16 FFT of cuFFT", named_feature="yes")


def _toolkit_not_found_then_raised(mo, line):
    """A package's own 'NerfAcc: No CUDA toolkit found. NerfAcc will be disabled.': a notice the program goes on after.
    It is the failure only where an exception follows in that package's own frames (its name after the notice):
    its ops were never built, so its first call fails; an exception elsewhere has another cause."""
    eol = mo.string.find("\n", mo.end())
    after = mo.string[eol: eol + 20000] if eol >= 0 else ""      # the lines after the notice's own
    if _other_gpu(mo) or not RAISED_AFTER.search(after) or mo.group(1).lower() not in after.lower():
        return None
    return C.CUDA_HOME, {"subject": "", "advisory": "yes"}


def _dgl_torch_lib(mo, line):
    """DGL's loader ('Cannot find DGL C++ graphbolt library at .../libgraphbolt_pytorch_2.4.1.so'): DGL names the
    library after the torch it imports, and its wheel carries one copy per torch release it was built for, so the
    torch installed is not one of them."""
    path = mo.group(2)
    folder = re.split(r"[/\\]", path)
    return C.COMPANION, {"subject": "dgl", "package": "dgl", "have": mo.group(3), "dgl_lib": mo.group(1),
                         "dgl_dir": "/".join(folder[:-1]) if path.startswith("/") else ""}


def _toolkit_header(mo, line):
    """A compiler's 'fatal error: cusparse.h: No such file or directory' (gcc), "'cuda_runtime.h' file not found"
    (clang), 'Cannot open include file: 'cublas_v2.h'' (MSVC): the CUDA toolkit's headers are not where the build
    looks: no CUDA development toolkit (pip's nvidia-* wheels bring the libraries), or CUDA_HOME elsewhere."""
    header = next(g for g in mo.groups() if g)
    return C.CUDA_HOME, {"subject": "", "header": header}


def _pip_pin(mo, line):
    """pip's resolver: 'torchvision 0.16.0+cu118 requires torch==2.1.0, but you have torch 2.2.0+cu118 which is
    incompatible': a package built or pinned for another torch than the one now installed."""
    pkg, ver, spec, have = mo.group(1), mo.group(2), mo.group(3), mo.group(4)
    return C.COMPANION, {"subject": pkg, "package": pkg, "built": spec.lstrip("=") if spec.startswith("==") else spec,
                         "have": have, "pip_pin": "yes", "pkg_version": ver}


def _nvcc_missing(mo, line):
    """'No such file or directory: '/usr/local/cuda/bin/nvcc'', 'nvcc: not found': the build runs nvcc from CUDA_HOME
    (default /usr/local/cuda) or PATH and there is none: no CUDA toolkit where it looks."""
    path = next((g for g in mo.groups() if g), "") or "nvcc"
    return C.CUDA_HOME, {"subject": "", "nvcc_path": path.strip("'\"`")}


def _dylib(mo, line):
    """macOS dyld's 'Library not loaded: @rpath/libcudart.10.1.dylib' (TensorFlow, Caffe, darknet on macOS): a CUDA
    library the binary links is not on dyld's search path (DYLD_LIBRARY_PATH, the binary's rpath) or not installed."""
    name = mo.group(1)
    return C.MISSING_LIB, {"subject": name, "soname": name, "dylib": name}


def _tf_min_cc(mo, line):
    """TensorFlow's 'Ignoring visible gpu device (...) with Cuda compute capability 3.0. The minimum required Cuda
    capability is 3.5.' (tensorflow/core/common_runtime/gpu/gpu_device.cc): the GPU is older than this build allows."""
    sm = f"sm_{mo.group(1)}{mo.group(2)}"
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "program": "TensorFlow", "have_cc": f"{mo.group(1)}.{mo.group(2)}",
                        "need_cc": f"{mo.group(3)}.{mo.group(4)}"}


def _trt_sm(mo, line):
    """TensorRT's 'Target GPU SM 61 is not supported by this TensorRT release' (TensorRT 10) and 'Unsupported SM:
    0x809' (TensorRT 8, the SM in hex: 0x809 = 8.9): this TensorRT release has no kernels for the GPU's SM."""
    if mo.group(1):
        num = mo.group(1)
    elif mo.group(2):
        val = int(mo.group(2), 16)
        num = f"{val >> 8}{val & 0xff}"
    else:
        num = ""
    sm = "sm_" + num if num else ""
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "program": "TensorRT"}


def _xformers_cc(mo, line):
    """xFormers' 'requires device with capability >= (8, 0) but your GPU has capability (7, 5) (too old)' and
    '<= (9, 0) ... (12, 0) (too new)' (xformers/ops/fmha): no attention kernel of this build runs on this GPU. Its
    Hopper-only kernel (fa3, > (9, 0)) is 'too old' on every other GPU, and a build without CUDA lists the same lines:
    neither is the cause."""
    need, have = (int(mo.group(1)), int(mo.group(2))), (int(mo.group(3)), int(mo.group(4)))
    if re.search(r"wasn'?t buil[dt] with CUDA", mo.string) or need >= (9, 0) and have < need:
        return None
    sm = f"sm_{have[0]}{have[1]}"
    if have > need:
        return C.NO_KERNEL, {"subject": sm, "ext_sm": sm, "package": "xformers"}
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "program": "xFormers", "have_cc": f"{have[0]}.{have[1]}",
                        "need_cc": f"{need[0]}.{need[1]}", "kernels": "yes"}


def _is_sm_check(mo, line):
    """flash-attention's bare TORCH_CHECK of the GPU's architecture ('Expected is_sm90 || is_sm8x || is_sm75 to be
    true, but got false.'): its kernels are built for the architectures named and this GPU is none of them; the
    oldest named is the minimum (is_sm8x: 8.0)."""
    ccs = []
    for major, minor in re.findall(r"is_sm(\d{1,2}?)(\d|x)\b", mo.group(1)):
        ccs.append((int(major), 0 if minor == "x" else int(minor)))
    if not ccs:
        return None
    low = min(ccs)
    need = f"{low[0]}.{low[1]}"
    names = " ".join(mo.group(1).split())
    return C.GPU_ARCH, {"subject": "sm_" + need.replace(".", ""), "sm": "", "need_cc": need, "need_gen": generation(need),
                        "feature": f"code built for {names} only (flash-attention's check)", "generic": "yes"}


def _cc_unsupported(mo, line):
    """text-generation-inference's 'GPU with CUDA capability 7 0 is not supported' (its flash-attention import): the
    GPU's compute capability is below what the program's kernels support."""
    cc = f"{mo.group(1)}.{mo.group(2)}"
    sm = f"sm_{mo.group(1)}{mo.group(2)}"
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "have_cc": cc, "cc_unsupported": "yes"}


def _arch_one_of(mo, line):
    """CUTLASS' CuTe DSL ('OpError: expects arch to be one of ['sm_100a', 'sm_100f'], but got sm_121a'): the op uses
    instructions of the architectures listed only (tcgen05 MMA of data-center Blackwell) and this GPU is another."""
    want = " ".join(re.findall(r"sm_\d{2,3}[af]?", mo.group(1)))
    got = mo.group(2)
    sm = re.match(r"sm_\d{2,3}", got).group(0)
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "arch_list": want or mo.group(1), "arch_got": got}


def _ptxas_cc(mo, line):
    """TensorFlow/XLA's asm_compiler ('Falling back to the CUDA driver for PTX compilation; ptxas does not support CC
    8.6'): the ptxas of the CUDA toolkit in use (the image's) is older than the GPU."""
    sm = f"sm_{mo.group(1)}{mo.group(2)}"
    return C.GPU_ARCH, {"subject": sm, "sm": sm, "ptxas": "yes", "ptxas_toolkit": "yes"}


def _prebuilt_ops(mo, line):
    """DeepSpeed's op_builder ('PyTorch version mismatch! DeepSpeed ops were compiled and installed with a different
    version than what is being used at runtime ... Install torch version=2.1, Runtime torch version=2.2', and its
    CUDA/HIP forms): ops prebuilt at install time for another torch (or CUDA) than the one running."""
    pkg, head = mo.group(2), mo.group(1)
    p = {"subject": pkg, "package": pkg, "prebuilt_ops": "CUDA" if "CUDA" in head else "HIP" if "HIP" in head else "torch"}
    vers = re.search(r"Install (\w{1,10}) version\s*=\s*([\w.+]{1,40}),?\s*Runtime \w{1,10} version\s*=\s*([\w.+]{1,40})",
                     mo.string[mo.end():mo.end() + 400])
    if vers:
        p.update(what=vers.group(1), built=vers.group(2).rstrip("."), have=vers.group(3).rstrip("."))
    return C.EXT_ABI, p


def _dso_version(mo, line):
    """TensorFlow/XLA's cuda_diagnostics ('kernel version 535.183.6 does not match DSO version 560.28.3 -- cannot find
    working devices in this configuration'): the kernel module and libcuda (the DSO) differ. A libcuda newer than the
    module is one a container (or compat package) brought for a newer driver than the host's; an older one is the
    driver upgraded without a reboot (or libraries of an older driver)."""
    kernel, dso = mo.group(1), mo.group(2)
    p = {"subject": "", "nvml_library": dso, "kernel_module": kernel}
    if _int_version(dso) > _int_version(kernel):
        return C.DRIVER_OLD, dict(p, dso_newer="yes")
    return C.NVML_MISMATCH, p


def _int_version(v: str) -> Tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v))


def _dtype_kernel(mo, line):
    """candle's (cudarc's) 'DriverError(CUDA_ERROR_NOT_FOUND, "named symbol not found") when loading cast_f32_bf16':
    a kernel of bfloat16 (or fp8) not in the module, as the kernels of those types are compiled only for the GPUs
    that have them (__CUDA_ARCH__ >= 800, 890) (medium: a module of another build lacks it the same way)."""
    kernel = next(g for g in mo.groups() if g)
    fp8 = re.search(r"fp8|f8e|e4m3|e5m2", kernel, re.IGNORECASE)
    need = "8.9" if fp8 else "8.0"
    return C.GPU_ARCH, {"subject": "sm_" + need.replace(".", ""), "sm": "", "dtype": "fp8" if fp8 else "bfloat16",
                        "need_cc": need, "dtype_kernel": kernel}


def _rocm_no_binary(mo, line):
    """HIP's 'hipErrorNoBinaryForGpu: Unable to find code object for all current devices!': the build has no code
    object for this GPU's gfx target."""
    gfx = re.search(r"\bgfx\d{3,4}[a-z]?\b", mo.string)
    return C.NO_KERNEL, {"subject": gfx.group(0) if gfx else "", "rocm": gfx.group(0) if gfx else "yes"}


def _sm_kernel(mo, line):
    """SageAttention's 'SM89 kernel is not available. Make sure you GPUs with compute capability 8.9.' (an assert on
    SM89_ENABLED, set when its build compiled those kernels): the build lacks the kernels this path needs."""
    num = mo.group(1)
    sm = "sm_" + num
    pkg = re.search(r"[/\\](?:site|dist)-packages[/\\](\w{2,60})[/\\]", mo.string)
    return C.NO_KERNEL, {"subject": sm, "ext_sm": sm, "package": pkg.group(1) if pkg else "the extension",
                         "sm_kernel": "yes"}


def _load_library_crash(mo, line):
    owner = re.search(r"[/\\](?:site|dist)-packages[/\\](\w{2,60})[/\\]", mo.string[mo.end():mo.end() + 2000])
    pkg = owner.group(1) if owner and owner.group(1) != "torch" else ""
    return C.EXT_ABI, {"subject": pkg, "load_crash": pkg or "yes"}


def _ggml_kernel(mo, line):
    """ggml's 'CUDA kernel K has no device code compatible with CUDA arch 610. ggml-cuda.cu was compiled for: 610'
    (arch = compute capability x 100 + minor x 10): where the build has this GPU's architecture the kernel itself is
    not made for it (a feature such as flash attention that needs a newer GPU)."""
    arch = int(mo.group(2))
    sm = f"sm_{arch // 10}"
    built = [int(a) for a in re.findall(r"\d{3,4}", mo.group(3) or "")]
    return C.NO_KERNEL, {"subject": sm, "ggml_kernel": mo.group(1), "sm": sm,
                         "built": " ".join(f"sm_{a // 10}" for a in built), "in_build": "yes" if arch in built else ""}


def _engine_library(mo, line):
    """A C++ program's loader (martin-olivier's dylib, in cortex/Jan: 'Could not load engine: Could not load library
    "...engine.dll"' and the system's reason): the DLL was found and a DLL it depends on (a CUDA engine's CUDA
    runtime) was not; 'Unknown error (FormatMessage failed)' gives no reason (medium)."""
    path = mo.group(1)
    name = re.split(r"[\\/]+", path)[-1]
    p = {"subject": name, "soname": name, "dll": name, "engine": path}
    if not re.search(r"specified module could not be found", mo.group(0), re.IGNORECASE):
        p["no_reason"] = "yes"
    return C.MISSING_LIB, p


# the CUDA toolkit's own headers (cuDNN's, NCCL's and TensorRT's are other packages)
CUDA_HEADER = (r"(?:cuda(?:_runtime(?:_api)?|_fp16|_bf16|_fp8|_profiler_api|_gl_interop)?|cusparse|cublas(?:_v2|Lt|_api)?|"
               r"curand(?:_kernel)?|cusolver(?:Dn|Sp|_common)?|cufft|nvrtc|nvToolsExt|nvJitLink|cooperative_groups|"
               r"device_launch_parameters|cuComplex|driver_types|vector_types|library_types)\.h|(?:thrust|cub)/[\w/]{1,80}\.h")


# (regex, layer, what it means, wrapper?) -- tried in this order; a span already matched is not matched again
PATTERNS: List[Tuple[str, int, Callable, bool]] = [
    # the loader
    # torch 1.x's split CUDA libraries (libtorch_cuda_cu.so, libtorch_cuda_cpp.so) that torch 2 no longer ships: an
    # extension asking for them was compiled against the older torch (Dao-AILab/flash-attention#236, maintainer tridao:
    # 'compiled for one version of PyTorch and then another version was installed'; the 1.x file in torch/lib in
    # pytorch's own threads, e.g. a 'torch/lib/libtorch_cuda_cu.so: undefined symbol' line)
    (r"(?<![\w+\-.])(libtorch_cuda_(?:cu|cpp)\.so)" + Q + r"\s*:?\s*cannot open shared object file", 0, _torch_split, False),
    # a ROCm or CUDA torch's own backend library asked for by a package built for that variant of torch
    (r"(?<![\w+\-.])(lib(?:torch|c10)_(?:hip|cuda)\.so)" + Q + r"\s*:?\s*cannot open shared object file", 0,
     _torch_variant, False),
    # KeOps compiles its NVRTC engine (nvrtc_jit.so, in its cache folder) at first use against the cuda.h and nvrtc.h it
    # finds under CUDA_PATH/CUDA_HOME, the conda prefix or /usr/local/cuda (keopscore/config/cuda.py
    # get_cuda_include_path, binders/nvrtc/Gpu_link_compile.py); not there: that build failed (getkeops/keops#385,
    # maintainer jeanfeydy: a CUDA install KeOps did not find, set CUDA_PATH)
    (r"\bnvrtc_jit\.so" + Q + r"\s*:?\s*cannot open shared object file", 0,
     _fixed(C.CUDA_HOME, subject="", keops="yes"), False),
    (r"Unable to open library:?\s*" + SONAME + r"\s+due to\s+" + SONAME, 0, _wrapped(1, 2), False),
    # (a paste cut after 'object' is the same message)
    # (R torch's lantern retells it as 'Unable to open shared object file: there is no file or directory available')
    (r"(?<![\w+\-.])" + ANY_SO + Q + r"\s*:?\s*(?:cannot|unable to) open shared object(?: file|(?=[ \t]*(?:\n|$)))", 0,
     _missing(), False),
    (r"Cannot find " + SONAME + r" in the system", 0, _missing(), False),
    (r"Unable to load any of \{([^}\n]{1,400})\}", 0, _any_of, False),
    # Windows' error 193 for a DLL that was found but is not a 64-bit one: cuDNN 8's loader says 'Could not load
    # library zlibwapi.dll. Error code 193. Please verify that the library is built correctly for your processor
    # architecture (32-bit, 64-bit)' (a 32-bit zlibwapi.dll first on PATH; read in a cuDNN setup guide, zlibwapi
    # 錯誤碼 193: x64 build fixed it)
    (r"(?:Could not|Can ?not|Failed to|Unable to) load\s*(?:(?:the )?(?:library|module|DLL)\s*)?" + Q
     + r"([\w\-]{1,80}\.dll)" + Q + r"\s*(?:\.\s*)?(?:Error code|error)\s*:?\s*193\b", 0, _bad_arch_dll, False),
    (r"(?:Could not|Can ?not|Failed to|Unable to) (?:locate|load|find|open)\s*(?:(?:the )?(?:library|module|DLL)\s*)?"
     + Q + r"([A-Za-z_]{2,40}?)64_(\d{1,3})(?:_\d{1,2})?\.dll" + Q, 0, _dll, False),
    (r"(?:Could not|Can ?not|Failed to|Unable to) (?:locate|load|find)\s*(?:(?:the )?(?:dynamic )?(?:library|module|DLL)\s*)?" + Q
     + r"([\w\-]{1,80}\.dll)" + Q + r"(?!\s*(?:\.\s*)?(?:Error code|error)\s*:?\s*193\b)", 0,
     _plain_dll, False),
    (r"\b(?:The )?(cuDNN|cuBLAS|cuFFT|cuSPARSE|cuSOLVER|NCCL|cuRAND|cuPTI|nvJitLink) library was not found", 0,
     _named_lib, False),
    (r"LoadLibrary failed with error 126\b[^\n]{0,40}?when trying to load\s*" + Q + r"([^\"'`\n]{1,400}?\.dll)", 0,
     _load_library_126, False),
    (r"Cannot load symbol ([A-Za-z_]\w{0,120})", 0, _symbol_load, True),
    # a library that is there but cut short or damaged (an interrupted download or copy, a Git LFS pointer)
    (r"(?<![\w+\-.])" + ANY_SO + Q + r":?\s*(ELF load command past end of file|file too short|invalid ELF header)", 0,
     _corrupt, False),
    (r"error while loading shared libraries:?\s*" + ANY_SO, 0, _missing(), False),
    (r"\b" + SONAME + Q + r"\s*(?:=>\s*)?(?:was\s+)?not found", 0, _missing(), False),
    # the link editor's 'warning: libnvcuvid.so.1, needed by /usr/local/zed/lib/libsl_zed.so, not found (try using
    # -rpath or -rpath-link)': a library a linked library needs is not where the link looks
    (r"\bwarning: " + SONAME + r", needed by [^\s,]{1,300}, not found", 0,
     unconditional(_ld_needed), False),
    # nvprof's 'The path to CUPTI and CUDA Injection libraries might not be set in LD_LIBRARY_PATH': it could not
    # load libcupti (the toolkit's extras/CUPTI/lib64, which a module or a PATH-only setup leaves off the path)
    (r"\bThe path to CUPTI (?:and CUDA Injection libraries )?might not be set in LD_LIBRARY_PATH", 0,
     unconditional(_fixed(C.MISSING_LIB, subject="libcupti", soname="libcupti", cupti="yes")), False),
    # macOS dyld naming a CUDA library (TensorFlow, Caffe, darknet threads: tensorflow/tensorflow#6729, BVLC/caffe#779)
    (r"Library not loaded:\s*(?:@rpath/|@loader_path/|/usr/local/cuda/lib/)?(lib(?:cudart|cublas(?:Lt)?|cudnn|cufft|"
     r"curand|cusparse|cusolver|nvrtc|nvToolsExt|nccl)(?:\.\d{1,4}){0,3}\.dylib)", 0, _dylib, False),
    # CTranslate2's 'Library libcublas.so.12 is not found or cannot be loaded'
    (r"Library " + Q + SONAME + Q + r" is not found(?: or cannot be loaded)?", 0, _missing(), False),
    # cpm_kernels (ChatGLM's quantized kernels, cpm_kernels/library/base.py: 'Library %s is not initialized'): it found
    # no such library with ctypes.util.find_library (the system loader's cache, PATH on Windows) (medium)
    (r"\bLibrary (cuda|cudart|cublasLt|cublas|nvrtc|curand|cusparse|cufft) is not initiali[sz]ed", 0,
     lambda mo, line: (_soname_code("lib" + mo.group(1) + ".so"), {"subject": "lib" + mo.group(1),
                                                                   "soname": "lib" + mo.group(1), "cpm": mo.group(1)}),
     False),
    # a C++ loader's (martin-olivier's dylib: 'Could not load library "<path>"' and the system's reason on the next
    # line; cortex/Jan wrap it in 'Could not load engine:'): a DLL found whose dependency was not (error 126), or no
    # reason given ('Unknown error (FormatMessage failed)')
    (r"Could not load library\s{0,4}\"([^\"\n]{1,400}?\.dll)\"\s{0,8}(?:The specified module could not be found\.?|"
     r"Unknown error \(FormatMessage failed\))", 0, _engine_library, False),
    # a package's loader that tried each of its builds and none loaded (sgl_kernel's '[sgl_kernel] CRITICAL: Could not
    # load any common_ops library!'): the reasons follow it, most often a CUDA runtime the build needs not found (medium)
    (r"\bCould not load any ([\w\-]{1,60}) library\b", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": mo.group(1), "soname": "", "any_library": mo.group(1)}), False),
    # ONNX Runtime's CUDA provider that did not load while CUDA_PATH is set (onnxruntime_pybind_state.cc: 'CUDA_PATH is
    # set but CUDA wasn't able to be loaded. Please install the correct version of CUDA and cuDNN ...')
    (r"\b(?:CUDA|ROCM)_PATH is set but (?:CUDA|ROCM) wasn'?t able to be loaded", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": "", "soname": "", "ort_cuda_path": "yes"}), False),
    # Windows' STATUS_DLL_NOT_FOUND as a child process's exit status (ollama's 'llama runner process has terminated:
    # exit status 0xc0000135'; -1073741515 and 3221225781 are the same NTSTATUS as signed and unsigned numbers)
    (r"\b(?:exit (?:status|code)|exited with(?: (?:exit )?code)?|return(?:ed)? (?:code|status)?)\W{0,3}"
     r"(0xc0000135|-1073741515|3221225781)\b", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": "0xC0000135", "soname": "", "win_status": mo.group(1)}), False),
    # torch's preload of the CUDA libraries from the nvidia-* wheels ('libcublasLt.so.*[0-9] not found in the system
    # path [...]'): neither the loader nor any sys.path entry has that library
    (r"\b(lib[A-Za-z][\w\-]{1,40})\.so\.\*\[0-9\] not found in the system path", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": mo.group(1) + ".so", "soname": mo.group(1) + ".so"}), False),
    (r"\bCould not find any NVRTC library", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": "libnvrtc.so", "soname": "libnvrtc.so"}), False),
    # tinygrad's loader ('failed to load library cuda: try setting CUDA_PATH?')
    (r"\bfailed to load library (?i:(cuda|nvrtc|nvJitLink|cublas|cudart))\b:?\s{0,3}try setting", 0,
     lambda mo, line: _missing_named(mo.group(1)), False),
    # TensorRT's loader on Windows: 'Unable to open library: nvinfer_plugin_10.dll' (the DLL not on PATH)
    (r"Unable to (?:open|load) library:?\s*([\w\-.]{1,80}\.dll)\b", 0,
     _plain_dll, False),
    # a program's own search that names the library ("NVIDIA-SMI couldn't find libnvidia-ml.so library")
    (r"(?:couldn'?t|could not|can ?not|unable to|failed to) find " + Q + SONAME + Q + r" library", 0, _missing(), False),
    # Numba's 'libNVVM cannot be found' / 'libdevice cannot be found': the CUDA toolkit's NVVM compiler library
    (r"\b(libNVVM|libdevice) (?:cannot|could not) be found", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": mo.group(1).lower(), "soname": "libnvvm.so"}), False),
    (r"\bfunction " + Q + r"([A-Za-z_]\w{0,200})" + Q + r" not found", 0, _ctypes_function, False),
    (r"Unable to load (cuDNN|cuBLAS|cuFFT|cuSPARSE|cuSOLVER|NCCL|cuRAND)\b", 0, _named_lib, False),
    (r"load library failed:\s*" + SONAME, 0, _missing(), False),
    (r"Couldn'?t open CUDA library " + SONAME, 0, _missing(), True),
    (r"(?:Can ?not|Could not|Couldn'?t|Failed to|Unable to) (?:find|load|open|dlopen) (?:the )?(?:dynamic |shared |CUDA )?"
     r"library:?\s*" + Q + SONAME, 0, _missing(), True),
    (r"Could not load (?:dynamic )?library " + Q + SONAME, 0, _missing(), True),
    (r"(?:Unable to|Could not|Couldn'?t|Failed to|Cannot) load\s+" + Q + SONAME + Q + r"(?![\w.])", 0, _missing(), True),
    (r"Failed to load library " + SONAME, 0, _missing(), True),
    (r"Please make sure " + SONAME + r" is in your library path", 0, _missing(), True),
    (r"third-party dynamic library \(([^()\s]{1,120})\) that \w{1,40} depends on is not configured correctly", 0,
     _third_party, True),
    (r"Unable to find (?:the )?\w{1,20} lib(?:rary)? under the names \[([^\]\n]{1,200})\]", 0, _lib_names, False),
    (r"(?:Failed to|Could not|Couldn'?t|Unable to|cannot) dlopen\s+" + Q + SONAME, 0, _missing(), False),
    (r"compiled using NumPy 1\.x cannot be run in(?:\s+NumPy|[ \t]*(?=\n|$))|numpy\.(?:dtype|ndarray|ufunc|flatiter|broadcast|generic) size changed,? may indicate binary "
     r"incompatibility", 0, unconditional(_numpy), False),
    # a compiled module handed an ndarray of another NumPy than the one it was built with ('argument 1 must be
    # numpy.ndarray, not numpy.ndarray': stardist under NumPy 2, aristoteleo/spateo-release#291)
    (r"\bmust be numpy\.ndarray, not numpy\.ndarray\b", 0, _numpy, False),
    # NumPy 2's C-API table looked up by a module compiled against NumPy 1.x ('AttributeError: _ARRAY_API not found')
    (r"\b_ARRAY_API not found|module compiled against API version 0x[0-9a-f]+ but this version of numpy is 0x[0-9a-f]+|"
     r"numpy\.core\.multiarray failed to import", 0, _numpy, False),
    # a package's compiled extension was never built (GroundingDINO's ms_deform_attn: 'name '_C' is not defined'):
    # the threads found no CUDA toolkit (CUDA_HOME) when it was installed, so setup.py skipped it (medium)
    (r"\bname '_C' is not defined|cannot import name '_C' from '(\w{1,60})'", 1,
     lambda mo, line: (C.CUDA_HOME, {"subject": "", "ext_not_built": mo.group(1) or "yes"}), False),
    # NVRTC compiles at run time and loads libnvrtc-builtins.so.<its CUDA major.minor> beside itself
    (r"failed to (?:open|load) (libnvrtc-builtins(?:\.so(?:\.\d{1,6}){0,3})?|builtins)\b", 0, _nvrtc_builtins, False),
    (CUDA_DLL, 0, lambda mo, line: _dll(mo, line), True),
    # CuPy's Jitify (NVRTC) failing to compile at all: NVRTC with builtins or headers of another CUDA release
    (r"JitifyException:?\s*Runtime compilation failed", 0,
     _fixed(C.CUDA_SYMBOL, subject="libnvrtc", library="libnvrtc", jitify="yes"), False),
    (r"Cannot load cudnn shared library", 0, _fixed(C.MISSING_LIB, subject="libcudnn", soname="libcudnn"), False),
    # torch's CMake configure ('-- Caffe2: Cannot find cuDNN library. Turning the option off'): the build goes on
    # without cuDNN (advice, which a failure after it leads)
    # libtorch's CMake config when the libtorch is a cuDNN build and no cuDNN is found ('Your installed Caffe2 version
    # uses cuDNN but I cannot find the cuDNN libraries')
    (r"Caffe2 version uses cuDNN but I cannot find the cuDNN libraries", 0,
     _fixed(C.MISSING_LIB, subject="libcudnn", soname="libcudnn"), False),
    # CUDA.jl (before CUDA_Driver_jll) with no driver library found: 'UndefVarError: libcuda not defined'
    (r"UndefVarError:? `?libcuda`? not defined", 0, _fixed(C.LIBCUDA, subject="libcuda", soname="libcuda.so.1"),
     False),
    (r"Caffe2: Cannot find cuDNN library", 0,
     _fixed(C.MISSING_LIB, subject="libcudnn", soname="libcudnn", advisory="yes"), False),
    # mpi4py's 'cannot load MPI library' (import tensorrt_llm: its MPI, Open MPI's libmpi.so.40, not found) and
    # XGBoost's 'Failed to load nccl' (2.1+ loads NCCL from the environment: the nvidia-nccl-cu12 wheel or a system copy)
    # CuPy's memory pool ('cupy.cuda.memory.OutOfMemoryError: Out of memory allocating N bytes') and
    # text-generation-inference's warm-up ('Not enough memory to handle 4096 prefill tokens', '... max_total_tokens')
    (r"\bOut of GPU memory trying to allocate\b|\bNot enough allocatable device memory\b|"
     r"\bInsufficient GPU memory (?:to load model|error: The available single GPU memory)|"
     r"\bNot enough VRAM - required:|\bfailed to allocate (?:CUDA|GPU) memory:? out of memory|"
     r"\bRMM failure at:[^\n]{0,300}?(?:Maximum pool size exceeded|out of memory)|\bstd::bad_alloc: out_of_memory: RMM|"
     r"\bfailed to allocate the compute buffer|\balloc params backend buffer failed|"
     r"RuntimeError: Not enough memory, use lower resolution|"
     r"\bCUDA failure [\w.]{1,60}:\d{1,6} 'out of memory'|"
     # dlib's CHECK_CUDA: 'Error while calling cudaMalloc(&data, n) in file .../cuda_data_ptr.cpp:28. code: 2, reason:
     # out of memory'
     r"\bError while calling cuda\w{0,30}\([^\n]{0,400}?\breason:\s{0,2}out of memory\b|"
     # the CUDA_SAFE_CALL macro of miners and other C++ programs: "CUDA error in func 'X' at line N : out of memory."
     r"\bCUDA error in func '[^'\n]{1,120}' at line \d{1,6}\s{0,2}:\s{0,2}out of memory\b|"
     # a renderer's or a library's own allocator ('cuda_malloc(): out of memory!', CatBoost's NCudaLib::
     # TOutOfMemoryError 'Error: Out of memory. Requested 1070.5; Free 1010.9')
     r"\bcuda_?malloc(?!_?host)\w{0,20}\(\):?\s{0,3}out of memory\b|\bNCudaLib::TOutOfMemoryError\b|"
     r"\bOutOfMemoryError: Out of memory allocating [\d,]+ bytes|\bNot enough memory to handle (?:\d+ prefill tokens|"
     r"`?max_total_tokens)|"
     # XLA's rematerialization warning: the program's buffers alone exceed the memory XLA was given (MJX/Brax's
     # replay buffer sized from num_timesteps: google-deepmind/mujoco#1431)
     r"Can'?t reduce memory use below -?[\d.]+\s?[KMGT]i?B \(-?\d+ bytes\) by rematerialization", 2,
     failure_only(lambda mo, line: _oom_stated(mo, line)), False),
    # a program's own check of the GPU's free memory (T-Rex's 'Device does not have enough free memory to hold the
    # DAG ... Required: 5.02 GB, free: 5.01 GB'); not where the line is a condition or advice ('if your GPU does not
    # have enough memory, ...')
    (r"\b(?:Device|GPU|device \d{1,2}|GPU ?#?\d{1,2}) (?:does not|doesn'?t) have enough (?:free )?(?:video |device )?"
     r"memory\b|\bnot enough (?:free )?(?:GPU|device|video) memory (?:to|for|on|available)\b|"
     r"\b(?:caused by|due to) insufficient GPU\s{1,3}memory\b", 2,
     unconditional(failure_only(_oom_stated)), False),
    # TransformerEngine's loader ('cudnn shared object not found.', 'cublas shared object not found.')
    (r"\b(cudnn|cublas|cublasLt|nvrtc|curand|cufft|cusparse|nccl) shared object not found", 0,
     failure_only(lambda mo, line: (C.MISSING_LIB, {"subject": "lib" + mo.group(1).lower(), "soname": "lib" + mo.group(1).lower()})),
     False),
    # ggml's loader of its backends ('load_backend: failed to load /usr/lib/libggml-cuda.so'): the CUDA backend's
    # libraries (its CUDA runtime, cuBLAS) not found, or a build for another CUDA (medium)
    (r"load_backend: failed to load\s+\S{0,300}?(libggml-cuda\.so|ggml-cuda\.dll)", 0,
     lambda mo, line: None if "cannot open shared object file" in line else
     (C.MISSING_LIB, {"subject": mo.group(1), "soname": "", "unnamed": "ggml-cuda", "advisory": "yes"}), False),
    (r"Unable to dynamically load the \"(cuda|nvrtc|cublas|cublasLt|curand|cudnn|nccl|cufft|cusparse)\" shared library",
     0, _cudarc_lib, False),
    # a program's own dlopen of the driver's library by name (Warp's 'Could not open libcuda.so.', then 'Driver 0.0')
    (r"(?:Could not|Couldn'?t|Unable to|Failed to|Cannot) (?:open|load|find|dlopen)\s+" + Q + r"(libcuda\.so(?:\.1)?)" + Q
     + r"(?!\w|\.\w)(?![^\n]{0,80}\bstub)", 0,
     unconditional(failure_only(lambda mo, line: (C.LIBCUDA, {"subject": mo.group(1), "soname": "libcuda.so.1"}))),
     False),
    # the loader's ENOENT retold without 'cannot open shared object file' ('ImportError libcudart.so.9.0: No such file
    # or directory', an extension built against a CUDA that is no longer installed)
    (r"\b(?:ImportError|OSError)\b:?[ \t]{0,3}(?:[^\n]{0,200}?[ \t/])?" + SONAME + r":[ \t]*No such file or directory",
     0, _missing(), False),
    (r"\bCUDA driver not found\b|Could not find or load the NVIDIA CUDA driver", 0,
     failure_only(_fixed(C.LIBCUDA, subject="libcuda.so.1", soname="libcuda.so.1")), False),
    (r"\bcuDNN is not available on your system\b", 0, failure_only(_fixed(C.MISSING_LIB, subject="libcudnn", soname="libcudnn")),
     False),
    (r"Failed to initiali[sz]e NVIDIA RTC library", 0, failure_only(_fixed(C.MISSING_LIB, subject="libnvrtc", soname="libnvrtc")),
     False),
    (r"\bValidation failed: Failed to load (lib[\w+\-]{1,60}\.so(?:\.\d{1,6}){0,4})", 0, _missing(), False),
    (r"\bcuDNN library not found in LD_LIBRARY_PATH", 0, failure_only(_fixed(C.MISSING_LIB, subject="libcudnn", soname="libcudnn")),
     False),
    (r"handle != nullptr[\s\S]{0,200}?cudaDriverWrapper\.cpp", 0,
     _fixed(C.LIBCUDA, subject="libcuda.so.1", soname="libcuda.so.1"), False),
    (r"\bcannot load MPI library", 0, failure_only(_fixed(C.MISSING_LIB, subject="libmpi", soname="libmpi.so.40")), False),
    (r"\bFailed to load nccl\b(?! symbol)", 0, failure_only(_fixed(C.MISSING_LIB, subject="libnccl", soname="libnccl.so.2")), False),
    (r"version " + Q + r"GLIBC_(2\.\d+)" + Q + r" not found|\bGLIBC_(2\.\d+)" + Q + r" not found|"
     r"libc\.so\.6" + Q + r":\s*version " + Q + r"GLIBC_(2\.\d+)(?![\d.])(?!" + Q + r"\s*not found)" + Q, 0,
     lambda mo, line: _glibc(_First(mo), line), False),
    (r"((?:GLIBCXX|CXXABI)_\d+(?:\.\d+)+)" + Q + r"\s+not found", 0, _glibcxx, False),
    # the linker's form: "undefined reference to `std::runtime_error::runtime_error(char const*)@GLIBCXX_3.4.21'"
    (r"undefined reference to\s*[`'][^`'\n]{1,300}@((?:GLIBCXX|CXXABI)_\d+(?:\.\d+)+)'", 0, _glibcxx, False),
    (r"(?<![^\s'\"`(])([^\s'\"`(]{0,1000}\.cpython-[\w\-]+\.so):\s*undefined symbol(?!:?\s*[\w*$])", 0, _ext_no_symbol,
     False),
    # spconv's C++ library reaching the NVRTC path it does not implement: no kernels for this GPU (traveller59/spconv#534)
    (r"get_nvrtc_params\.cc\(\d{1,6}\)[\s\S]{0,120}?not implemented in c\+\+, must be overrided in python", 1,
     _fixed(C.NO_KERNEL, subject="libspconv", spconv="yes"), False),
    # tiny-cuda-nn's module per compute capability (tinycudann_bindings._89_C) that Windows could not load
    (r"DLL load failed while importing _(\d{2,3})_C\b(?!:?\s{0,3}The specified procedure)", 0,
     lambda mo, line: (C.NO_KERNEL, {"subject": "sm_" + mo.group(1), "tcnn_dll": mo.group(1)}), False),
    (r"Error loading\s*\\?[\"'`]([^\"'`\n]{1,400}?\.dll)\\?[\"'`]\s*or one of its dependencies|"
     r"DLL load failed while importing (\w{1,120})", 0, _win_dll_dependency, False),
    # Python 3.7's 'DLL load failed: <error 126 or 127 in the system's language>' without the module's name; retold or
    # translated back ('DLL failed. The specified module could not be found', 'the given module is not found': 找不到
    # 指定的模块 word for word)
    (r"(?:DLL load failed|Import ?Error:\s*DLL failed)(?: with error code -?\d{1,12})?[:.]\s*(?:The )?(?:"
     r"(?:specified|given) module (?:could not be|cannot be|can ?not be|was not|is not|not) found|"
     r"(?:can ?not|could not|can't) find the (?:specified|given) module|找不到指定的模块|"
     r"Das angegebene Modul wurde nicht gefunden|Le module sp[ée]cifi[ée] est introuvable|"
     r"No se puede encontrar el m[óo]dulo especificado|" + PROC_NOT_FOUND.pattern + r")", 0, _win_dll_failed, False),
    # Python's own form of error 126 for a module given by path (ctypes.CDLL, torchaudio's .pyd): a dependency not found
    (r"Could not find module\s*" + Q + r"([^\"'`\n]{1,400}?\.(?:pyd|dll))" + Q + r"\s*\(or one of its dependencies\)", 0,
     _win_module, False),
    # a DLL named bare after 'Error loading' (CuPy's 'Error loading nvrtc-builtins64_131.dll')
    (r"Error loading\s+([\w\-.]{1,80}\.dll)\b|Could not find:?\s{0,3}([\w\-.]{1,80}\.dll)\.?\s{0,3}Is it on your PATH",
     0,
     _plain_dll, False),
    # ONNX Runtime's 'LoadLibrary failed with error 126' without the DLL it was loading: its CUDA provider's dependencies
    (r"LoadLibrary failed with error 126\b|Failed to load (?:shared )?library,? error code:? 126\b", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": "", "soname": "", "dependency": "yes",
                                       "dll": "onnxruntime_providers_cuda.dll" if re.search(
                                           r"onnxruntime|ONNXRuntimeError|\bFAIL :", line, re.IGNORECASE)
                                       else "the DLL being loaded"}), False),
    # ONNX Runtime 1.1-1.6's capi/_pybind_state.py turns the native module's ImportError into a warning ('Cannot load
    # onnxruntime.capi. Error: ...', read in the onnxruntime 1.6.0 wheel), so the next import names a function the
    # module would have defined: onnxruntime_pybind11_state did not load, a DLL it needs (CUDA/cuDNN of the GPU build,
    # the VC++ 2019 runtime) was not found (microsoft/onnxruntime#2894, maintainer jywu-msft: CUDA 10 DLLs not on PATH)
    (r"cannot import name '(\w{1,80})' from 'onnxruntime\.capi\._pybind_state'", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": "onnxruntime_pybind11_state", "soname": "", "ort_native": mo.group(1)}),
     False),
    # TensorFlow's cuda_diagnostics after cuInit failed: no libcuda in the process' mappings at all (the driver's
    # library is not installed or not visible; tensorflow/tensorflow#4267: libcuda1-384 not installed, Singularity
    # without --nv)
    (r"was unable to find (libcuda\.so) DSO loaded into this program", 0,
     lambda mo, line: (C.LIBCUDA, {"subject": mo.group(1), "soname": "libcuda.so.1"}), False),
    # a driver library loaded from the CUDA toolkit's stubs directory: UCX's 'Linked to libnvidia-ml library at wrong
    # path : .../lib/stubs/libnvidia-ml.so' (openucx/ucx#9232) and its 'nvml is a stub library' (src/uct/cuda/base/
    # cuda_nvml.c: nvmlInit_v2 answering NVML_ERROR_DRIVER_NOT_LOADED)
    (r"\bnvml is a stub library|(?:wrong path|loaded (?:from|at)|linked (?:to|against)|using)\b[^\n]{0,120}?"
     r"[/\\]stubs[/\\](libcuda|libnvidia-ml)\.so\b", 1,
     lambda mo, line: (P.STUB, {"subject": "", "stub_lib": mo.group(1) or "libnvidia-ml"}), False),
    # Triton's assertion that the ld cache lists no libcuda.so ('libcuda.so cannot found!', a typed 'lidcuda.so not found')
    (r"\b(li[bd]cuda\.so)" + Q + r"\s*(?:lib(?:rary)?\s+)?(?:cannot (?:be )?found|(?:was )?not found|is not found)", 0,
     lambda mo, line: (C.LIBCUDA, {"subject": mo.group(1), "soname": "libcuda.so", "triton": "yes"}), False),
    (r"\bld(?:\.\w+)?:?\s*(?:error:\s*)?cannot find -l(cuda|nvidia-ml)\b", 0, _link_libcuda, False),
    (r"undefined\s{1,4}symbol:?\s*[\"'`]?((?:\*(?=[A-Za-z_])|[A-Za-z_$])[\w$@*]{0,2000})[\"'`]?(?:,\s*version\s+([\w.+-]{0,80}\w))?", 0,
     _undefined, False),
    (r"symbol ([A-Za-z_$][\w$@]{0,2000}),? version ([\w.+-]{0,80}\w) not defined in file", 0, _undefined, False),
    # XGBoost's NCCL stub: "Failed to load NCCL symbol `ncclCommInitRankConfig` from /usr/lib/.../libnccl.so.2" (the
    # library loaded and lacks the function: an older NCCL than the one built against)
    (r"Failed to load NCCL symbol `?(nccl\w{1,80})`? from ([^\s:`'\"]{0,300}?lib\w{1,40}\.so(?:\.\d{1,4}){0,4})(?=[\s:.,`'\"]|$)", 0,
     lambda mo, line: (C.CUDA_SYMBOL, {"subject": mo.group(1), "symbol": mo.group(1), "library": "libnccl",
                                       "nccl_stub": mo.group(2)}), False),
    (r"\bSymbol not found:\s{0,4}'?(_[\w$]{1,2000})|\bsymbol not found in flat namespace\s{0,4}'(_[\w$]{1,2000})'", 0,
     _dyld_symbol, False),
    # the loader's relocation error without the symbol: 'version libcudnn_ops_infer.so.8 not defined in file
    # libcudnn_ops_infer.so.8' (a CUDA library of another release than the one the binary was linked against)
    (r"(?<!symbol )(?<!, )\bversion [`']?(lib[\w+\-]{1,60}\.so[\d.]{0,12}\d)'? not defined in file", 0, _version_node,
     False),
    # a bare ctypes/dlopen error naming only the library ('OSError: libcusparse.so.10'), Lua torch's 'libcudnn (R4)
    # not found in library path', bitsandbytes' 'Required library version not found: libbitsandbytes_cuda122.so'
    (r"^[ \t]*OSError:[ \t]*(lib[\w+\-]{1,60}\.so(?:\.\d+){0,4})[ \t]*$", 0, _missing(), False),
    (r"\b(lib[\w+\-]{1,60})(?:\.so[\d.]{0,12})?\s*(?:\([\w. ]{1,20}\)\s*)?not found in (?:the )?library path", 0,
     _missing(), False),
    (r"(?:Required library version not found:|No compatible (?:CUDA|ROCm|HIP) binary found at)\s*(?:\S{0,300}/)?"
     r"(libbitsandbytes_[\w]{1,60}\.so)", 0,
     lambda mo, line: (C.MISSING_LIB, {"subject": mo.group(1), "soname": mo.group(1), "bnb_build": "yes"}), False),
    # Triton's compiler handed another Triton's target object: a Triton of another release than torch pins
    # (triton, pytorch-triton and triton-nightly installed together; pytorch/pytorch#128357)
    (r"AssertionError: target must be of GPUTarget type", 1,
     _fixed(C.COMPANION, subject="triton", package="triton", triton_target="yes"), False),
    # the linker's demangled form of a torch symbol ("undefined reference to `c10::detail::torchInternalAssertFail(...)'"):
    # a program (a language binding such as tch-rs' torch-sys, a C++ app) linked against a libtorch of another release
    # or C++ ABI than the one its code was written for
    (r"undefined reference to\s*[`'](?:typeinfo for |vtable for )?((?:c10|at|torch|caffe2)::[^'`\n]{1,300})'", 0,
     lambda mo, line: (C.EXT_ABI, {"subject": mo.group(1)[:120], "symbol": mo.group(1)[:120], "link_torch": "yes"}),
     False),
    # a binding's compile-time check of the LibTorch it builds against (torch.rb's utils.h: 'static_assert failed due
    # to requirement ... "Incompatible LibTorch version"')
    (r"static_assert failed[^\n]{0,200}?Incompatible LibTorch version", 0,
     _fixed(C.EXT_ABI, subject="LibTorch", libtorch_version="yes"), False),
    # the linker's form of a versioned symbol: 'undefined reference to `cudaLaunchKernelExC@libcudart.so.11.0''
    (r"undefined reference to\s*[`'\"]?([A-Za-z_$][\w$]{0,2000})@{1,2}([\w.+-]{0,80}\w)", 0, _undefined, False),
    # driver, container, versions
    (r"CUDA driver version is insufficient(?: for CUDA runtime version)?(?! for CUDA \d)|cudaErrorInsufficientDriver|"
     r"CUDA_ERROR_INSUFFICIENT_DRIVER", 1, _fixed(C.DRIVER_OLD, subject=""), False),
    (r"NVIDIA driver on your system is too old(?: \(found version (\d+)\))?", 1, _driver_int, False),
    (r"\bSkipping import of cpp extensions due to incompatible torch version (\S{3,40}) for torchao version "
     r"(\d{1,3}\.\d{1,3}[\w.+]{0,40}?)(?=[.,;]?(?:\s|$))", 1, _torchao_skip, False),
    # FFmpeg's NVENC (nvenc.c): 'Driver does not support the required nvenc API version. Required: 12.0 Found: 11.1'
    # then 'The minimum required Nvidia driver for nvenc is 520.56.06 or newer': the driver is older than the NVENC
    # API FFmpeg was built against (jellyfin-ffmpeg 6 on a 515 driver: pdulvp/jellyfin-qnap#84)
    (r"\bDriver does not support the required nvenc API version\.?\s{0,3}Required:\s{0,3}(\d{1,3}\.\d{1,3})", 1,
     lambda mo, line: (C.DRIVER_OLD, _nvenc(mo)), False),
    # a C++ program's CUDA check macro: cudaGetErrorString's 'out of memory' and the source line (HugeCTR's
    # 'Runtime error: out of memory /HugeCTR/include/general_buffer.hpp:64'), where the text is a GPU program's and the
    # line is not the host's allocator's
    (r"\bRuntime error:\s{0,2}out of memory\s{1,3}\S{1,300}?\.(?:cuh?|hpp|h|cc|cpp)\b:\d{1,6}", 1,
     lambda mo, line: None if re.search(r"bad_alloc|malloc|\bhost\b|\bRAM\b|pool|sycl|oneapi|level zero|\bhip\b|rocm|"
                                        r"opencl|/usr/include/", line, re.IGNORECASE)
     or _other_gpu(mo) or not re.search(r"cuda|\bgpu|nvidia|hugectr|\.cuh?\b", mo.string[:20000], re.IGNORECASE) else
     (C.CUDA_OOM, {"subject": ""}), False),
    # the same minimum said alone (OBS's NVENC encoder, which took FFmpeg's check): 'error: The minimum required
    # Nvidia driver for nvenc is 471.41 or newer'; after 'Cannot load libnvidia-encode.so.1' it is no driver's library
    (r"\bThe minimum required Nvidia driver for nvenc is (\d{3}(?:\.\d{1,3}){0,2}) or newer", 1,
     unconditional(lambda mo, line: None if re.search(r"required nvenc API version|Cannot load (?:libnvidia-encode|"
                                                      r"nvEncodeAPI)", mo.string[max(0, mo.start() - 400):mo.start()])
                   else (C.DRIVER_OLD, {"subject": "", "nvenc_api": "", "nvenc": "yes", "min_driver": mo.group(1)})),
     False),
    # JCuda's loader ('Error while loading native library "JCublas2-0.8.0-windows-x86_64"'): JCuda's release number is
    # the CUDA release its native libraries link against (0.8.0: CUDA 8.0; 11.2.0: CUDA 11.2)
    (r"\bError while loading native library\s{0,2}\W?(J(?:Cu|Nv)\w{1,30})-(\d{1,2})\.(\d{1,2})\.\d{1,2}-(windows|linux|apple)",
     0, _jcuda, False),
    # a check macro naming the kernel or the source line: 'CUDA Error of GINTint2e_jk_kernel: out of memory'
    # (gpu4pyscf), 'CUDA error at kernel.cu:33: out of memory', 'CUDA error in foo.cu:12 : out of memory (2)'; not
    # where the allocation was pinned host memory, nor in another vendor's (hipified) build
    (r"\bCUDA (?:error|failure) (?:of|in|at) [\w.:/\\\-]{1,160}\s{0,2}:\s{0,2}out of memory\b", 1,
     failure_only(_check_macro_oom), False),
    # Faiss' GPU scratch memory (StackDeviceMemory) whose cudaMalloc failed: 'Faiss assertion 'err == cudaSuccess' failed
    # in char* faiss::gpu::StackDeviceMemory::Stack::getAlloc(...)': the index and its temporary memory need more GPU
    # memory than is free
    (r"\bFaiss assertion\s{0,2}'?err == cudaSuccess'?\s{0,2}failed in [^\n]{0,200}?\bStackDeviceMemory\b", 1,
     unconditional(_fixed(C.CUDA_OOM, subject="")), False),
    # the same macro naming the CUDA source file first (RELION's 'ERROR: out of memory in .../custom_allocator.cuh at
    # line 436 (error-code 2)': cudaErrorMemoryAllocation is 2)
    (r"\bout of memory in [\w.:/\\\-]{0,300}\.cuh?\b,? at line \d{1,6}", 1,
     unconditional(failure_only(_check_macro_oom)), False),
    # OptiX's optixInit() with OPTIX_ERROR_UNSUPPORTED_ABI_VERSION (7801): the driver's OptiX (libnvoptix, part of
    # the driver) is older than the ABI of the OptiX SDK the program was built with (NVISII, Blender Cycles, Isaac)
    (r"\bOPTIX_ERROR_UNSUPPORTED_ABI_VERSION\b|\boptix\w{0,20}\(\)?\)?[^\n]{0,40}?\b(?:failed|error)\b[^\n]{0,30}?"
     r"\b7801\b", 1, _fixed(C.DRIVER_OLD, subject="", optix="yes"), False),
    # xmr-stak's CUDA backend (cuda_extra.cu: cudaDriverGetVersion below the CUDART_VERSION it was built with)
    (r"\bNVIDIA Insufficient driver!", 1, unconditional(_fixed(C.DRIVER_OLD, subject="", zero_driver="xmr-stak")), False),
    # a runtime's retelling with its CUDA version ('NVIDIA driver version is insufficient for CUDA 12.2')
    (r"\b(?:NVIDIA |CUDA )?driver(?: version)? is insufficient for CUDA (\d{1,2}\.\d{1,2})\b", 1,
     lambda mo, line: (C.DRIVER_OLD, {"subject": "", "runtime_cuda": mo.group(1)}), False),
    # NVIDIA's NGC images' entrypoint (nvidia_entrypoint.sh, read in copies of it): the host's kernel module is older
    # than the driver the image's CUDA needs and the forward-compatibility libraries could not start CUDA: 'ERROR: This
    # container was built for NVIDIA Driver Release 450.36 or later, but version 440.100 was detected and compatibility
    # mode is UNAVAILABLE.' then '[[CUDA Driver UNAVAILABLE (cuInit(0) returned 804)]]' (ultralytics/yolov5#231)
    (r"This container was built for NVIDIA Driver Release (\d{3}(?:\.\d{1,3}){0,2}) or later,?\s+but\s+version "
     r"(\d{3}(?:\.\d{1,3}){0,2}) was detected", 1,
     lambda mo, line: (C.DRIVER_OLD, {"subject": "", "min_driver": mo.group(1), "have_driver": mo.group(2),
                                      "ngc_driver": "yes"}), False),
    # Ollama's cuda_compat.go (slog.Warn("NVIDIA driver too old", ..., "required_driver", "550 or newer"), read in
    # ollama's source): the driver is below the minimum of its bundled CUDA backend, so the GPU is filtered out
    (r"\bNVIDIA driver (?:is )?too old\b", 1, _ollama_driver, False),
    # cortex's check before a TensorRT-LLM model (cortex-js' checkModelCompatibility: the CUDA version read from
    # nvidia-smi, i.e. the newest CUDA the driver runs, against MIN_CUDA_VERSION): 'CUDA version 12.3 is not
    # compatible with TensorRT-LLM models. Required version: 12.4'
    (r"CUDA version (\d{1,2}\.\d{1,2}) is not compatible with [\w\- ]{1,40}? models?\W{0,3}Required version:?\s*"
     r"(\d{1,2}\.\d{1,2})", 1,
     lambda mo, line: (C.DRIVER_OLD, {"subject": "", "driver_cuda": mo.group(1), "need_cuda": mo.group(2)}), False),
    # Legion/Realm's Makefiles (runtime.mk, realm.mk: '$(error CUDA variable is not defined, aborting build)', some
    # after trying `which nvcc`): the build reads the toolkit's root from the variable CUDA and none was given
    (r"\bCUDA(?:_HOME|_PATH)? variable is not (?:defined|set)\b", 1, _fixed(C.CUDA_HOME, subject="", make_var="yes"),
     False),
    # libtorch's CPU library without its CUDA library loaded (CUDAHooksInterface.h: 'Cannot initialize CUDA without
    # ATen_cuda library.', '... CUDA generator without ATen_cuda library', with CUDA_HELP): a CPU-only libtorch (tch-rs
    # downloads one unless TORCH_CUDA_VERSION is set), or libtorch_cuda.so dropped by the linker (--as-needed) (medium)
    (r"\bCannot [\w ]{1,40}? without ATen_cuda library", 1, _fixed(C.TORCH_CPU, subject="torch", aten_cuda="yes"),
     False),
    # Windows' STATUS_ENTRYPOINT_NOT_FOUND as a process's exit status: a DLL without a function the program imports
    (r"\b0xc0000139\b|STATUS_ENTRYPOINT_NOT_FOUND|exit status 3221225785\b", 1,
     _fixed(C.DRIVER_OLD, subject="", entrypoint="yes"), False),
    (r"(?:requirement error|requirements not met):?\s*unsatisfied\s+condi\s*tion:\s*(cuda|driver)\s*>=\s*(\d+(?:\.\d+)*)", 1, _requirement, False),
    (r"(?:requirement error|requirements not met):?\s*unsatisfied\s+condition:\s*brand\s*=\s*\w+", 1,
     unconditional(_brand_requirement), False),
    # moby's errors.go: incompatibleDeviceRequest 'could not select device driver %q with capabilities: %v' (the
    # driver's quotes and the capabilities are dropped in retellings: 'could not select device driver with
    # capabilities: [[gpu]]', 'could not select device driver "nvidia"'); Docker's 'Unknown runtime specified nvidia'
    # (through docker-compose's 'Cannot create container for service X:' and docker-py's '400 Client Error'; retold
    # 'unknow runtime specified nvidia'), newer Docker's 'unknown or invalid runtime name: nvidia'
    (r"could not select device driver\b(?:\s*\"[^\"\n]{0,40}\")?(?:\s*with capabilities:?\s*\[{1,2}gpu\]{1,2})?|"
     r"unknown or invalid runtime name:?\s*nvidia|\bUnknown? runtime specified:?\s*nvidia", 1,
     _fixed(C.CONTAINER_NO_GPU, subject=""), False),
    # runc's exec of a runtime Docker's daemon.json names and the host lacks ('exec: "nvidia-container-runtime":
    # executable file not found in $PATH'): the NVIDIA Container Toolkit is not installed
    (r"exec: \"nvidia-container-runtime\": executable file not found", 1,
     unconditional(_fixed(C.CONTAINER_NO_GPU, subject="")), False),
    # nvidia-container-runtime-hook outside 'legacy' mode (CSV on Jetson/Tegra, CDI) refuses docker's --gpus request
    # (cmd/nvidia-container-runtime-hook/main.go: 'invoking the NVIDIA Container Runtime Hook directly (e.g. specifying
    # the docker --gpus flag) is not supported. Please use the NVIDIA Container Runtime (e.g. specify the
    # --runtime=nvidia flag) instead.')
    (r"invoking the NVIDIA Container Runtime Hook directly\b[^\n]{0,120}?\bis not supported|"
     r"Please use the NVIDIA Container Runtime\b[^\n]{0,40}?--runtime[= ]nvidia", 1,
     lambda mo, line: (C.CONTAINER_NO_GPU, {"subject": "", "runtime_hook": "csv" if re.search(
         r"mode as\W{0,2}csv", mo.string[max(0, mo.start() - 300):mo.start()], re.IGNORECASE) else "yes"}), False),
    # the container has no nvidia-smi: the runtime's GPU hook (which mounts it from the host) did not run (runc's
    (r"\bfound no CUDA devices\.?\s{0,3}Set TORCH_CUDA_ARCH_LIST|Torch did not find available GPUs on this system|"
     r"Device is not found on your local environment: cuda\b|Cannot find any available devices \(GPUs\)", 1,
     failure_only(_fixed(C.NO_DEVICE, subject="")), False),
    # the NVIDIA Container Toolkit only partly installed: its hook without nvidia-container-cli (enroot's check too)
    (r"couldn'?t find binary nvidia-container-cli in PATH|Command not found: nvidia-container-cli", 1,
     _fixed(C.CONTAINER_NO_GPU, subject=""), False),
    # podman's CDI without an NVIDIA spec ('could not discover GPU vendor: no known GPU vendor found in CDI specs')
    (r"no known GPU vendor found in CDI specs", 1, _fixed(C.CONTAINER_NO_GPU, subject="", cdi="yes"), False),
    # DeepSpeed's ds_report: a /dev/shm below 512 MiB (a container's 64 MB default) (advice, not a failure)
    (r"/dev/shm size might be too small", 1, _fixed(C.NCCL_SHM, subject="/dev/shm", shm_small="yes", advisory="yes"),
     False),
    (r"device is running in <Compute Mode Prohibited>|Compute Mode Prohibited", 1, _fixed(C.GPU_BUSY, subject=""),
     False),
    (r"Cannot load NVML;?[^\n]{0,120}?\bret:?\s{0,2}(9|12|18)\b", 1, _nvml_ret, False),
    # cortex's engine choice ('Nvidia-driver is not installed, use CPU variant')
    (r"\bNvidia-driver is not installed\b", 1, _fixed(C.NO_DRIVER, subject="", advisory="yes"), False),
    # Torch-TensorRT's runtime: an engine for another GPU, or another Torch-TensorRT ABI
    (r"No compatible device (?:was )?found (?:for instantiating TensorRT engine|on system to run program)|"
     r"targets a different Torch-TensorRT ABI Version", 1, _fixed(C.TRT_ENGINE, subject=""), False),
    # a shell's 'nvidia-smi: command not found' (nvidia-smi comes with the driver's utilities)
    (r"\bnvidia-smi:\s{0,3}(?:command )?not found|'nvidia-smi' is not recognized as an internal or external command|"
     r"\bnvidia-smi not found\. Ensure NVIDIA drivers are installed",
     1, _fixed(C.NO_DRIVER, subject="", smi_missing="yes"), False),
    (r"(?<![\w-])(?:ERROR|FATAL)\b:?[^\n]{0,60}?\bnvidia-smi not found\b(?![^\n]{0,80}\bexpected\b)", 1,
     failure_only(_fixed(C.NO_DRIVER, subject="", smi_missing="yes")), False),
    # 'exec: "nvidia-smi": executable file not found in $PATH', crun's 'executable file `nvidia-smi` not found in $PATH')
    (r"exec:?\s*" + Q + r"nvidia-smi" + Q + r":?\s*executable file not found in \$PATH|executable file " + Q
     + r"nvidia-smi" + Q + r" not found in \$PATH", 1, _fixed(C.CONTAINER_NO_GPU, subject="", nvidia_smi="yes"), False),
    # the docker CLI before 19.03 has no --gpus flag (docs and READMEs: "unknown flag: --gpus ... Docker 19.03+ is
    # required")
    (r"unknown flag:?\s*--gpus\b", 1, _fixed(C.CONTAINER_NO_GPU, subject="", old_docker="yes"), False),
    # Singularity / Apptainer with --nv that finds no driver libraries on the host ('Could not find any nv libraries
    # on this host!', 'You may need to manually edit .../nvliblist.conf')
    (r"Could not find any nv (?:libraries|files) on this host", 1,
     _fixed(C.CONTAINER_NO_GPU, subject="", apptainer="yes"), False),
    # NVIDIA's NGC images' entrypoint banner: no driver injected into the container (started without GPUs)
    (r"NVIDIA Driver was not detected\.?\s+GPU functionality will not be available", 1,
     _fixed(C.CONTAINER_NO_GPU, subject="", ngc="yes"), False),
    # nvidia-smi with the driver loaded and no GPU it may use (none passed to the container or job, one fallen off the bus)
    (r"(?m)^\W{0,4}No devices were found\s*$", 1, _fixed(C.NO_DEVICE, subject="", nvidia_smi="yes"), False),
    # podman / CRI-O with CDI: no CDI spec for the NVIDIA devices ('unresolvable CDI devices nvidia.com/gpu=all')
    (r"unresolvable CDI devices?:?\s*([\w./\-]{1,80}=[\w\-]{1,40})?", 1,
     lambda mo, line: (C.CONTAINER_NO_GPU, {"subject": "", "cdi": mo.group(1) or "yes"}), False),
    # a podman without CDI support takes the CDI name for a device path: 'stat nvidia.com/gpu=all: no such file'
    (r"\bstat (nvidia\.com/gpu=[\w\-]{1,40}):?\s*no such file or directory", 1,
     lambda mo, line: (C.CONTAINER_NO_GPU, {"subject": "", "cdi": mo.group(1), "stat": "yes"}), False),
    # containerd (Kubernetes, k3s, microk8s) has no runtime handler named nvidia: the toolkit did not configure it
    (r"no runtime for \"?nvidia\"? is configured", 1,
     _fixed(C.CONTAINER_NO_GPU, subject="", containerd="yes"), False),
    # torch's 'Numpy is not available': a torch built against NumPy 1.x under NumPy 2 (or no NumPy at all)
    (r"(?:RuntimeError:\s{0,3}|(?m:^)\s{0,8})Numpy is not available\b", 1,
     _fixed(C.NUMPY_ABI, subject="numpy", numpy="", unavailable="yes"), False),
    (r"(bfloat16|bf16|fp8|float8)\w{0,40} is only supported on GPUs with compute capability of at least (\d+)\.(\d+)", 1,
     _dtype_cc, False),
    (r"Detected that PyTorch and (\w{1,40}) were compiled with\s+different\s+CUDA\s+(?:major\s+)?versions", 1, _cuda_pair,
     False),
    # torchvision newer than torch: its _meta_registrations use torch.library.register_fake (torch >= 2.4)
    # (pytorch/vision#9020, huggingface/diffusers#8958, lllyasviel/IC-Light#77)
    (r"module " + Q + r"torch\.library" + Q + r" has no attribute " + Q + r"(register_fake)\b", 1,
     lambda mo, line: (C.COMPANION, {"subject": "torchvision", "package": "torchvision", "torch_api": mo.group(1)}),
     False),
    (r"Couldn'?t load custom C\+\+ ops\.?[^\n]{0,60}?PyTorch and (\w{1,40}) versions are incompatible", 1,
     lambda mo, line: (C.COMPANION, {"subject": mo.group(1), "package": mo.group(1), "custom_ops": "yes"}), False),
    # a package's own check of the torch it was built for (Open3D: 'Version mismatch: Open3D needs PyTorch version
    # 1.7.*, but version 1.8.2 is installed!')
    (r"\b(?!(?:this|that|it|which|what|python|pip|package|module|version|model|code|project|program|script|app|one|"
     r"he|she|we|you|they)\b)([A-Za-z][\w\-]{1,40}) (?:needs|requires|was (?:built|compiled) (?:for|with|against)) "
     r"(?:PyTorch|torch)"
     r"(?: version)?\s{0,3}(\d[\w.*+]{0,30}?),?\s{1,3}but (?:PyTorch |torch )?(?:version\s{0,3})?(\d[\w.+]{0,30}?)"
     r"\s{0,3}(?:is|was) (?:installed|found|loaded)", 1, _built_for, False),
    # pip's resolver: a package pinned to one torch (a compiled companion's exact pin) beside another torch
    (r"\b([A-Za-z][\w.\-]{0,60}) ([\w.+!]{1,40}) requires torch\s*(==\s*[\w.+*]{1,40}),? but you have torch "
     r"([\w.+]{1,40}) which is incompatible", 1, _pip_pin, False),
    # a launcher's check of a companion's pin (sdnext: 'Likely incompatible Cuda with: xformers==X installed:
    # torch==A required: torch==B - build xformers manually or downgrade torch')
    (r"\b([A-Za-z][\w.\-]{0,60})==([\w.+!]{1,40}) installed:?\s{0,4}torch==([\w.+]{1,40}),?\s{1,4}required:?\s{0,4}"
     r"torch==([\w.+]{1,40})", 1, _torch_required, False),
    # torch's check of a cuFFT feature against the GPU (SpectralOps: 'cuFFT doesn't support signals of half type with
    # compute capability less than SM_53, but the device containing input half tensor only has SM_52')
    (r"\bwith compute capability less than SM_(\d)(\d{1,2}), but the device\b[^\n]{0,80}?\bonly has SM_(\d)(\d{1,2})\b", 1,
     unconditional(lambda mo, line: None if _other_gpu(mo) else _cufft_half(mo)), False),
    # a package's own JIT build that found no nvcc ('NerfAcc: No CUDA toolkit found. NerfAcc will be disabled.'): the
    # program goes on without it, so only an exception after it makes it a failure, and a cause known after it leads
    (r"\b([\w\-]{2,40}): No CUDA toolkit found\b", 1, _toolkit_not_found_then_raised, False),
    # DGL's loader of its torch-release-named C++ library (dgl/graphbolt, dgl/sparse): the path may wrap onto the next
    # line ('... graphbolt library at\n.../libgraphbolt_pytorch_2.4.1.so')
    (r"\bCannot find DGL C\+\+ (graphbolt|sparse) library at\s{1,4}([\w./\\:~+\-]{0,400}?(?:lib)?(?:graphbolt|dgl_sparse)_"
     r"pytorch_(\d{1,2}\.\d{1,3}\.\d{1,3}(?:\.post\d{1,3})?)\.(?:so|dll|dylib))\b", 1, unconditional(_dgl_torch_lib),
     False),
    # xFormers' extensions built with another CUDA than torch's ('xFormers can't load C++/CUDA extensions. CUDA 1108 vs.
    # CUDA 1210')
    (r"\b([\w\-]{2,40}) can'?t load C\+\+/CUDA extensions\b[^\n]{0,200}?\bCUDA (\d{3,5}) vs\.? CUDA (\d{3,5})\b", 1,
     _ext_cuda_pair, False),
    # flash-attention's bare architecture check ('Expected is_sm90 || is_sm8x || is_sm75 to be true, but got false.')
    (r"Expected\s{1,4}(is_sm\w{1,6}(?:\s{0,4}\|\|\s{0,4}is_sm\w{1,6}){0,8})\s{1,4}to be true,? but got false", 1,
     _is_sm_check, False),
    # a program's check of the GPU against its own minimum, naming the GPU and itself (HOOMD-blue's 'The device Tesla
    # K80 with computed capability 3.7 does not support HOOMD-blue.')
    (r"\b(?:device|GPU) ((?:NVIDIA )?(?:GeForce |Tesla |Quadro |TITAN |RTX |GTX )[^\n]{1,50}?|NVIDIA [^\n]{1,50}?) with "
     r"comput(?:e|ed) capability\s{0,3}(\d{1,2})\.(\d)\b,?\s{0,3}(?:which )?(?:does not support|is not supported by) "
     r"(?!(?:FP|BF|INT|TF|MX)\d|bfloat|float|half|this\b|that\b|it\b|the\b)([A-Z][\w\-.]{0,30}(?: [A-Za-z][\w\-.]{0,30}){0,2}?)"
     r"\s{0,3}(?:[.!]|$)", 1,
     lambda mo, line: _rejected(mo.group(2), mo.group(3), mo.group(1).strip(), mo.group(4).rstrip(".")), False),
    # a program naming itself, the GPU and its compute capability it does not support (PG-Strom's 'PG-Strom: GPU0
    # GeForce GTX TITAN X - CC 5.2 is not supported'), or a benchmark's list ('Unsupported architecture - benchmark:
    # gemm-flops, compute capability: 8.9, supports 7.0 7.5 8.0 8.6 9.0')
    (r"\b([A-Z][\w\-]{1,30}): GPU\d{1,2} ([^\n]{1,60}?) - CC (\d{1,2})\.(\d) is not supported\b(?! for\b)", 1,
     unconditional(lambda mo, line: _rejected(mo.group(3), mo.group(4), mo.group(2).strip(), mo.group(1))), False),
    (r"\bUnsupported architecture - benchmark: ([\w\-.]{1,40}), compute capability: (\d{1,2})\.(\d), supports "
     r"((?:\d{1,2}\.\d ?){1,12})", 1,
     unconditional(_benchmark_arch), False),
    # nvprof and the Visual Profiler on Ampere and newer ('nvprof is not supported on devices with compute capability
    # 8.0 and higher'): the legacy profilers stop at Volta/Turing; Nsight Systems and Nsight Compute replace them
    (r"\b(nvprof|nvvp|Visual Profiler) is not supported on devices with compute capability (\d{1,2})\.(\d) and higher", 1,
     unconditional(lambda mo, line: (C.GPU_ARCH, {"subject": f"sm_{mo.group(2)}{mo.group(3)}", "sm": "",
                                                  "profiler": mo.group(1), "need_cc": f"{mo.group(2)}.{mo.group(3)}"})),
     False),
    # a program's check that its implementation runs on this GPU's generation (AlphaFold 3's
    # "implementation='triton' is unsupported on this GPU generation")
    (r"\bimplementation='?(\w{1,30})'? is unsupported on this GPU generation", 1,
     unconditional(failure_only(lambda mo, line: (C.GPU_ARCH, {"subject": "", "sm": "", "generation_impl": mo.group(1)}))),
     False),
    # text-generation-inference: 'GPU with CUDA capability 7 0 is not supported' (a GPU below its kernels' minimum)
    (r"\bGPU with CUDA (?:is )?capability (\d{1,2})[ .,](\d) is not supported", 1, _cc_unsupported, False),
    # CUTLASS' CuTe DSL: 'expects arch to be one of ['sm_100a', 'sm_100f'], but got sm_121a'
    (r"expects arch to be one of \[([^\]\n]{1,300})\],? but got (sm_\d{2,3}[af]?)", 1, _arch_one_of, False),
    # TensorFlow/XLA's asm_compiler: the toolkit's ptxas older than the GPU ('ptxas does not support CC 8.6')
    (r"\bptxas does not support CC (\d{1,2})\.(\d)", 1, _ptxas_cc, False),
    # DeepSpeed's ops prebuilt for another torch (or CUDA) than the one running
    (r"\b((?:PyTorch|Torch)(?: CUDA| HIP)?|CUDA|HIP) version mismatch!?\s{0,4}(\w{1,40}) ops were compiled and installed with a "
     r"different version", 1,
     _prebuilt_ops, False),
    # a bfloat16 (or fp8) kernel not in the module (candle/cudarc's 'named symbol not found") when loading
    # cast_f32_bf16'): kernels of those types are compiled only for GPUs that have them (medium)
    (r"(?:CUDA_ERROR_NOT_FOUND|named symbol not found)[^\n]{0,60}?\bwhen loading\s{1,4}(\w{0,80}?(?:bf16|bfloat16|fp8|f8e[45]m[23])\w{0,80})|"
     r"\bkernel\s{0,4}\"(\w{0,80}?(?:bf16|bfloat16|fp8|f8e[45]m[23])\w{0,80})\"[^\n]{0,60}?(?:CUDA_ERROR_NOT_FOUND|named symbol not found)",
     1, _dtype_kernel, False),
    # a GPU generation a library's kernels need ('FlashAttention only supports Ampere GPUs or newer')
    (r"\b([A-Za-z][\w\-]{0,40}(?: \d)?) (?:only supports?|is only supported on|requires) (?:an? )?(Maxwell|Pascal|Volta|"
     r"Turing|Ampere|Ada|Hopper|Blackwell)(?: \(?sm_?\d{2,3}\)?)?(?: GPUs?| cards?| architectures?)? (?:or|and) "
     r"(?:an? )?(?:newer|later|above)"
     + NO_FALLBACK, 1,
     failure_only(_feature_arch), False),
    (r"\b(?:[A-Z]\w{0,30}Error|Exception|AssertionError):\s{0,3}(?:[^\n]{0,80}?\b)?Requires? at least (?:an? )?(Maxwell|Pascal|"
     r"Volta|Turing|Ampere|Ada|Hopper|Blackwell)(?: arch(?:itecture)?| GPUs?| cards?)?\b" + NO_FALLBACK, 1,
     failure_only(lambda mo, line: _generation_needed("the program's GPU code", mo.group(1), line)), False),
    (r"(?:(?:device|GPU|setup|hardware|card)\s+(?:does not|doesn'?t|do not|cannot)\s+support\s+`?(?:pure_)?(?:bfloat16|bf16)\b|"
     r"(?:bfloat16|bf16)\s+(?:is\s+)?not supported (?:on|by) (?:this|your|the|current)(?: \w+)? (?:GPU|device|card))"
     + NO_FALLBACK, 1, _dtype_device, False),
    (r"bf16 mixed precision requires PyTorch >= [\d.]{1,10} and a supported device", 1,
     _fixed(C.GPU_ARCH, subject="sm_80", sm="", dtype="bfloat16", need_cc="8.0", setup="yes"), False),
    # Triton's fp8 (e4m3, 'fp8e4nv') needs an Ada (sm_89) or newer GPU
    (r"type fp8e4nv not supported in this architecture|fp8e4nv data type is not supported on CUDA arch < 89", 1,
     _fixed(C.GPU_ARCH, subject="sm_89", sm="", dtype="fp8 (e4m3)", need_cc="8.9"), False),
    (r"(?:(?:Feature|Instruction) '([^'\n]{1,60})' requires \.target sm_(\d{2,3})a? or higher|"
     r"\brequires? (?:an? )?(?:GPUs? |devices? )?(?:of |with )?sm_?(\d{2,3}) or (?:higher|newer|above|later)|"
     r"\b(?:requires?|needs?|use|supports? only)\s+(?:an? )?(?:GPUs?|devices?)?\s*(?:with\s+|of\s+)?(?:a\s+)?(?:CUDA\s+)?"
     r"compute capability\s*(?:of\s+)?(?:>=\s*)?(\d{1,2})\.(\d)\s*(?:or (?:higher|above|newer|later)|\+))" + NO_FALLBACK,
     1, _cc_requirement, False),
    # a program's minimum compute capability said with a comparison (bitsandbytes' 'Compute capability < 7.5
    # detected!', 'GPUs with compute capability below 8.0 are not supported', 'requires compute capability >= 8.9')
    (r"(?:\b[Cc]ompute capability\s*(?:<|less than|below|lower than)\s*(\d{1,2})\.(\d)\b[^\n]{0,20}?"
     r"(?:detected|found|(?:is|are) not supported|not supported|unsupported)|"
     r"\b(?:GPUs?|devices?|cards?) (?:with|of) (?:a )?(?:CUDA )?compute capability\s*(?:<|less than|below|lower than|"
     r"under)\s*(\d{1,2})\.(\d)\b[^\n]{0,20}?(?:(?:is|are) not supported|unsupported|not supported)|"
     r"\brequires? (?:an? )?(?:NVIDIA )?(?:(?:GPUs?|devices?|cards?) )?(?:with )?(?:a )?(?:CUDA )?compute capability\s*"
     r"(?:>=|>|≥|of at least|at least)\s*(\d{1,2})\.(\d)\b|"
     r"\b(?:[Mm]inimum|[Mm]in\.?)(?: required)?(?: CUDA)? compute capability(?: required)?(?: is| of)?\W{0,3}"
     r"(\d{1,2})\.(\d)\b[^\n]{0,60}?\b(?:found|got|have|has|detected|current(?:ly)?|device)\W{0,3}"
     r"(?:compute capability\W{0,3})?(\d{1,2})\.(\d)\b|"
     r"\bcompute capability\W{0,3}(\d{1,2})\.(\d)\b[^\n]{0,60}?\b(?:lower|less|below|older) than (?:the )?"
     r"(?:minimum|required)[^\n\d]{0,40}?(\d{1,2})\.(\d)\b)" + NO_FALLBACK, 1, failure_only(_cc_threshold), False),
    # diffusers' 'ValueError: Query, key, and value must be on a CUDA device with compute capability >= 9.0.' (raised)
    (r"\b(?:[A-Z]\w{0,30}Error|Exception):[^\n]{0,120}?\b(?:must be|be|run) on an? (?:CUDA |NVIDIA )?(?:device|GPU) with "
     r"(?:a )?(?:CUDA )?compute capability\s*(?:>=|≥|of at least|at least)\s*(\d{1,2})\.(\d)\b" + NO_FALLBACK, 1,
     failure_only(lambda mo, line: _below_minimum(f"{mo.group(1)}.{mo.group(2)}", "")), False),
    (r"(?:\bGPU compute capability (\d{1,2})\.(\d) is not supported\s{0,3}\(requires\s{0,3}>=\s{0,3}(\d{1,2})\.(\d)\)|"
     r"\bhas compute capability\s{0,3}<\s{0,3}\((\d{1,2}),\s{0,3}(\d)\)|"
     r"\bSupported only on GPUs with compute capability (\d{1,2})\.x|"
     r"\bUnsupported compute capability\.\s{0,3}Supported:\s{0,3}(\d{1,2})\.x|"
     r"\bcompute capability (\d{1,2})\.(\d)(?:\s{0,2}\([A-Za-z ]{2,20}\))? or (?:higher|newer|above) (?:is )?required|"
     r"\b(?:Please )?use a GPU with (?:a )?compute capability\s{0,3}>=?\s{0,3}(\d{1,2})\.(\d)|"
     r"\bCompute capability (?:less than|below|<)\s{0,3}(\d)(\d)\b[^\n]{0,20}?not supported|"
     r"\brequires sm\s{0,2}>=\s{0,2}(\d{1,2})\.?(\d)|"
     r"\brequires SM (\d{1,2})\.(\d) or higher|\brequires a minimum CUDA compute (\d{1,2})\.(\d) capability|"
     r"\brequires (?:hardware )?>=\s{0,2}SM\s{0,2}(\d{1,2})\.(\d)|\brequires SM(\d{1,2})(\d)\+|"
     r"\brequires an? sm(\d{1,2})(\d)\+|\bis not supported on CUDA arch\s{0,2}<\s{0,2}(\d{1,2})(\d)\b|"
     r"\bGPU with compute capability (\d{1,2})(\d) or higher, but got [^\n]{0,40}?compute capability (\d{1,2})(\d)\b)"
     + NO_FALLBACK, 1, failure_only(_cc_forms), False),
    # a program's own GPU check: DeepFaceLab's 'Tesla K40m does not meet minimum required compute capability: 3.7.
    # Falling back to CPU mode.' and 'No CUDA device found with minimum required compute capability 3.5' (it goes on
    # on the CPU: advice a failure after it leads)
    (r"\b(?:does not meet (?:the )?|No CUDA devices? found with (?:the )?)minimum required compute capability:?\s{0,2}"
     r"(\d{1,2}\.\d)\b", 1,
     lambda mo, line: (lambda code, p: (code, dict(p, advisory="yes")))(*_below_minimum(mo.group(1), "")), False),
    # a feature 'only supported on CUDA devices with compute capability >= 9.0 or 8.9' (torch._scaled_mm, FP8): the
    # lowest capability listed is the minimum
    (r"(?:\b([\w.]{2,60}) (?:is )?)?\bonly supported on (?:CUDA |NVIDIA )?(?:devices|GPUs) with (?:a )?compute capability"
     r"\s{0,2}(?:>=|≥|of at least|at least)\s{0,2}(\d{1,2}\.\d)(?:\s{0,2}or\s{0,2}(\d{1,2}\.\d))?\b" + NO_FALLBACK, 1,
     failure_only(unconditional(_only_supported_on)), False),
    # AutoGPTQ's 'with a device of compute capability (7, 5), the minimum compute capability is 8.0', pycuda's 'Minimum
    # compute capability for dynamic parallelism is 3.5 (found: 3.0)!'
    (r"(?:\bCan not use ([^\n]{1,60}?) with a )?\bdevice of compute capability \((\d{1,2}),\s{0,2}(\d)\),? the minimum "
     r"compute capability is (\d{1,2})\.(\d)\b|"
     r"\bMinimum compute capability for ([^\n]{1,60}?) is (\d{1,2})\.(\d) \(found:?\s{0,2}(\d{1,2})\.(\d)\)", 1,
     failure_only(_named_minimum), False),
    (r"CUDA-version:\s{0,3}(\d{4,5})\s{0,3}\((\d{4,5})\)[\s\S]{0,120}?CUDA-version is higher than Driver-version", 1,
     lambda mo, line: _runtime_over_driver(_cuda_int(mo.group(1)), _cuda_int(mo.group(2)), advisory="yes"), False),
    # CuTe DSL's 'CUDA driver version 12080 is below the minimum required version for the installed cuda-python
    # package 13000'
    (r"\bCUDA driver version (\d{4,5}) is below the minimum required version for the installed cuda-python package "
     r"(\d{4,5})", 1,
     lambda mo, line: _runtime_over_driver(_cuda_int(mo.group(2)), _cuda_int(mo.group(1)), cuda_python="yes"), False),
    # vLLM's quantization check ('Minimum capability: 80. Current capability: 75.') and SGLang's 'SGLang only supports
    # sm75 and above.'
    (r"\bMinimum capability:\s{0,2}(\d{1,2})(\d)\.?\s{0,3}Current capability:\s{0,2}(\d{1,2})(\d)\b|"
     r"\b(?:[A-Z]\w{0,30}Error|Exception):[^\n]{0,80}?\bonly supports? sm_?(\d{1,2})(\d) and (?:above|newer|later)\b", 1,
     failure_only(_minimum_pair), False),
    # CTranslate2's compute types (src/types.cc: float16 needs compute capability >= 7.0, bfloat16 >= 8.0, int8 >= 6.1)
    (r"Requested (float16|bfloat16|int8\w{0,12}) compute type, but the target device or backend do not support "
     r"efficient \1 computation", 1, _ct2_dtype, False),
    (r"Could not find (?:a )?compatible ([\w\-]{1,60}) (?:extension|kernels?|build|binary|module) for (?:compute|CUDA) "
     r"capability\s*(\d{2,3})\b", 1, _ext_cc, False),
    # text-embeddings-inference (candle backend, backends/candle/src/lib.rs): a build for one compute capability
    (r"\bcompute cap(?:ability)?\W{0,3}(\d{2,3})\b[^\n]{0,40}?\bcompile[- ]time compute cap(?:ability)?\W{0,3}(\d{2,3})\b", 1,
     _compile_cc, False),
    # RAPIDS' PTX for its UDFs, one file per compute capability (cudf/utils/_numba.py _get_ptx_file)
    (r"\b([\w\-]{2,40}) installation is missing the necessary PTX files(?: that are\s{0,3}<=\s{0,3}(\d{2,3}))?", 1,
     _ptx_files, False),
    (r"ptxas" + Q + r" failed with error code (?:4294967295|-1)\b", 1, _ptxas_crash, False),
    # a CUDA toolkit header the compiler does not find (gcc, clang, MSVC): no CUDA development toolkit where the build
    # looks (the threads: DeepSpeed's fused_adam JIT build with the runtime libraries but no toolkit)
    (r"fatal error(?: C1083)?:?\s{0,4}(?:Cannot open include file:\s{0,4})?" + Q + r"(" + CUDA_HEADER + r")" + Q
     + r":?\s{0,4}(?:No such file or directory|file not found)|" + Q + r"(" + CUDA_HEADER + r")" + Q
     + r" file not found", 1, _toolkit_header, False),
    (r"(?:No such file or directory|cannot find the file specified):?\s*" + Q
     + r"((?:[^\n'\"`]{0,300}[\\/])?nvcc(?:\.exe)?)" + Q + r"(?![\w.])|"
     r"(?<![^\s'\"`(])" + Q + r"((?:[^\s'\"`]{0,300}[\\/])?nvcc(?:\.exe)?)" + Q
     + r"(?: failed)?:\s*(?:No such file|not found)|"
     r"\bnvcc(?:\.exe)?(?::\s*(?:command )?| command )not found|\bnvcc (?:compiler )?(?:was )?not found(?= on \$?PATH| in (?:your )?\$?PATH)|"
     # a package's setup.py that builds its CUDA extension only where nvcc is there (causal-conv1d's, mamba-ssm's
     # 'causal_conv1d was requested, but nvcc was not found.'): the build found no toolkit
     r"\b[\w.-]{1,60} was requested, but nvcc was not found\b",
     1, unconditional(failure_only(_nvcc_missing)), False),
    (r"requires device with capability\s*(?:[<>]=?|==)\s*\((\d{1,2}),\s*(\d)\)\s*but your GPU has capability\s*"
     r"\((\d{1,2}),\s*(\d)\)", 1, _xformers_cc, False),
    # bitsandbytes' csrc (built without cuBLASLt, the build it loads on GPUs below compute capability 7.5)
    (r"Your GPU does not support Int8 Matmul", 1,
     _fixed(C.GPU_ARCH, subject="sm_75", sm="", program="bitsandbytes", need_cc="7.5", int8="yes"), False),
    # TensorFlow's gpu_device.cc: a GPU below the build's minimum compute capability is ignored
    (r"Ignoring (?:visible )?gpu device \([^)]{0,300}\) with Cuda compute capability (\d{1,2})\.(\d)\. The minimum "
     r"required Cuda capability is (\d{1,2})\.(\d)", 1, _tf_min_cc, False),
    # TensorRT's builder (TensorRT 10: NVIDIA/TensorRT#4359; TensorRT 7-8: #2332, #2727, #3826)
    (r"Target GPU SM (\d{2,3}) is not supported by this TensorRT release|Unsupported SM:\s*0x([0-9a-fA-F]{3,4})\b|"
     r"(?:Assertion failed: |\()Unsupported SM\.", 1, _trt_sm, False),
    (r"CUDA capability (sm_\d+) is not compatible with the current PyTorch installation", 1, _arch, False),
    (r"Found GPU\d{0,2} ([^\n]{1,80}?) which is of compute capability \(CC\) (\d{1,2})\.(\d)\b", 1, _torch_cc, False),
    # torch's cuDNN check (torch/backends/cudnn): cuDNN 9.11 and later dropped GPUs below compute capability 7.5
    (r"cuDNN version (\d{5,6}) is not compatible with devices with SM\s{0,2}<\s{0,2}(\d)\.(\d)", 1,
     lambda mo, line: (C.GPU_ARCH, {"subject": f"sm_{mo.group(2)}{mo.group(3)}", "sm": "", "cudnn_version": _cudnn_int(int(mo.group(1))),
                                    "need_cc": f"{mo.group(2)}.{mo.group(3)}"}), False),
    # torch's cpp_extension: an architecture this torch release does not know ('Unknown CUDA arch (12.0) or GPU not
    # supported': an older torch asked to build for a newer GPU)
    (r"Unknown CUDA arch \((\d{1,2})\.(\d)\+?(?:PTX)?\) or GPU not supported", 1,
     lambda mo, line: (C.GPU_ARCH, {"subject": f"sm_{mo.group(1)}{mo.group(2)}", "sm": f"sm_{mo.group(1)}{mo.group(2)}",
                                    "torch_arch": "yes"}), False),
    # conda's, mamba's and pixi's words for an unmet virtual package (__cuda: the driver's CUDA; __glibc)
    (r"\b(__cuda|__glibc)(\[version=[^\]\n]{1,40}\]|\s{0,2}[<>=]{1,2}\s{0,2}[\d.]{1,12}(?:,\s{0,2}<[\w.]{1,12})?)?"
     r"(?=,? which is missing on the system|'? does not match any of the available virtual packages|"
     r"\s{0,3}\n(?:[^\n]{0,200}\n){0,8}?\s{0,4}Your installed version is:)", 1, _conda_virtual, False),
    (r"which is of cuda capability (\d+)\.(\d+)\.?\s*PyTorch no longer supports this GPU because it is too old", 1,
     _arch_old, False),
    (r"Value '(sm_\d+)a?' is not defined for option 'gpu-name'", 1,
     lambda mo, line: (C.GPU_ARCH, {"subject": mo.group(1), "sm": mo.group(1), "ptxas": "yes"}), False),
    (r"Unsupported gpu architech?ture '?(?:compute|sm)_(\d{2,3})a?'?", 1, _nvcc_arch, False),
    # a build's own check of the toolkit against the GPU (SageAttention's 'CUDA 12.8 or higher is required for compute
    # capability 12.0', flashinfer's 'SM 12.x requires CUDA >= 12.9'): the CUDA toolkit predates the GPU
    (r"CUDA \d{1,2}\.\d{1,2} or higher is required for compute capability (\d{1,2})\.(\d)|"
     r"\bSM (\d{1,2})\.x requires CUDA\s{0,2}>=\s{0,2}\d{1,2}\.\d{1,2}|"
     r"Compute capabilities \[(\d{1,2})(\d)\d?\] are not all supported by the installed CUDA version", 1,
     failure_only(lambda mo, line: _nvcc_arch_cc(mo.group(1) or mo.group(3) or mo.group(4), mo.group(2) or mo.group(5) or "0")),
     False),
    # CMake's FindCUDA (select_compute_arch.cmake, also in torch's share/cmake) without the GPU's architecture
    (r"Unknown CUDA Architecture Name (\d{1,2})\.(\d)\w?(?:\([\d.]{1,6}\))? in CUDA_SELECT_NVCC_ARCH_FLAGS", 1,
     _cmake_arch, False),
    # an NGC container's entrypoint check of the GPU against the architectures its builds carry
    (r"Detected ([^\n]{1,80}?) GPU, which is (?:(not yet supported in this version of the container)|"
     r"not supported by this container(?![ \t]*\w))|No supported GPU\(s\) detected to run this container()", 1,
     _ngc_gpu, False),
    (r"Value '(?:compute|sm)_(\d{2,3})[af]?' is not defined for option '[\w-]{0,12}architecture'", 1, _nvcc_arch, False),
    # a program's own check of the GPU's architecture against its kernels' ('Unsupported CUDA architecture: sm75',
    # SageAttention 2's setup and dispatch)
    (r"\bUnsupported (?:CUDA|GPU) arch(?:itecture)?:\s{0,3}[`'\"]?(?:sm_?|compute_)(\d{2,3})[af]?\b", 1,
     lambda mo, line: (C.GPU_ARCH, {"subject": "sm_" + mo.group(1), "sm": "sm_" + mo.group(1),
                                    "unsupported_arch": "yes"}), False),
    # the same check with the architecture left out, raised from a kernel library's C++/CUDA source (DeepGEMM's
    # 'Assertion error (/deepgemm/csrc/apis/hyperconnection.hpp:56): Unsupported architecture')
    (r"\b(?:Assert(?:ion)?(?: error| failed)?|[A-Z]\w{0,30}Error)\b[^\n]{0,300}?\.(?:cuh?|hpp)\b[^\n]{0,40}?"
     r"Unsupported (?:GPU |CUDA |SM )?architecture\b(?![^\n]{0,40}?(?:x86|amd64|aarch64|arm|i[3-6]86|ppc|s390|riscv|mips|"
     r"loongarch|gfx\d|cpu))",
     1, lambda mo, line: None if re.search(r"rocm|/hip/|\bcpu", line, re.IGNORECASE) else
     (C.GPU_ARCH, {"subject": "", "sm": "", "unsupported_arch": "yes"}), False),
    # Triton's PTX-version table (backends/nvidia/compiler.py) without the CUDA release of the ptxas it found: its
    # fall-through words say 'only supports CUDA 10.0 or higher' for a CUDA newer than it knows
    (r"Triton only supports CUDA 10\.0 or higher, but got CUDA version:\s{0,2}(\d{1,2}\.\d{1,2})", 1,
     unconditional(lambda mo, line: (C.GPU_ARCH, {"subject": "CUDA " + mo.group(1), "sm": "",
                                                  "triton_cuda": mo.group(1)})), False),
    # the same check of a program's kernels against the GPU, worded as the kernel's (nunchaku's)
    (r"\bThis kernel is not supported on your GPU(?=[ \t]{0,3}(?:[.!:'\"\r\n]|$))", 1,
     unconditional(failure_only(lambda mo, line: None if re.search(r"rocm|\bhip\b|gfx\d|\bxpu\b|intel|\bamd\b|\bcpu\b",
                                                                   line, re.IGNORECASE) or _other_gpu(mo) else
                                (C.GPU_ARCH, {"subject": "", "sm": "", "unsupported_arch": "yes"}))), False),
    # LLVM's NVPTX backend (Triton's, numba's) of a release that does not know the GPU's architecture
    (r"'?(sm_\d{2,3})a?'? is not a recognized processor for this target", 1,
     lambda mo, line: (C.GPU_ARCH, {"subject": mo.group(1), "sm": mo.group(1), "llvm": "yes"}), False),
    (r"cuDNN version (?:incompatibility|mismatch):\s*PyTorch was compiled\s+against\s+(?P<built>\([\d, ]+\)|\d+)\s+"
     r"but (?:found runtime version|linked against)\s+(?P<found>\([\d, ]+\)|\d+)", 1, _cudnn, False),
    # TensorFlow's / XLA's cuda_dnn.cc logs 'Loaded runtime CuDNN library: X' only when X does not suit the cuDNN it
    # was built with ('... but source was compiled with: Y'): the line alone (its tail cut or on another line) says so
    (r"Loaded runtime CuDNN library:?\s*(?P<found>[\d.]*\d)(?:\s*\(compatibility version \d+\))?(?:\s+but source was "
     r"compiled with:?\s*(?P<built>[\d.]*\d))?", 1, _cudnn, False),
    (r"Found cuDNN version (?P<found>\d+), but JAX was built against version (?P<built>\d+)", 1, _cudnn, False),
    # Caffe2's check: 'cuDNN compiled (7102) and runtime (7005) versions mismatch'
    (r"cuDNN compiled \((?P<built>\d+)\) and runtime \((?P<found>\d+)\) versions mismatch", 1, _cudnn, False),
    (r"compiled with CUDNN (?P<built>\d+(?:\.\d+)*),? but CUDNN version in your machine is (?P<found>\d+(?:\.\d+)*)", 1,
     _cudnn, False),
    (r"libcudnn v(?P<found>\d+(?:\.\d+)*) with header v(?P<built>\d+(?:\.\d+)*) unmatched", 1, _cudnn, False),
    # OpenCV's DNN CUDA backend (cuda4dnn/init.hpp checkVersions): 'cuDNN reports version 8201 which does not match
    # with the version 8000 with which OpenCV was built' (later 'which is not compatible with the version 8.0')
    (r"cuDNN reports version (?P<found>\d+(?:\.\d+)*) which (?:does not match with|is not compatible with) the version "
     r"(?P<built>\d+(?:\.\d+)*) with which OpenCV was built", 1,
     lambda mo, line: (C.CUDNN_MISMATCH, dict(_cudnn(mo, line)[1], opencv="yes")), False),
    (r"Found (cuBLAS|cuFFT|cuSOLVER|cuSPARSE|CUDA|NCCL|cuPTI|nvJitLink) version (\d+), but JAX was built against version "
     r"(\d+)", 1, _jax_cuda_lib, False),
    (r"Outdated cuDNN installation found[\s\S]{0,120}?built against:\s*(?P<built>\d+)[\s\S]{0,120}?"
     r"Installed version:\s*(?P<found>\d+)", 1, _cudnn, False),
    (r"detected CUDA version(?: \((?P<nvcc>[\d.]+)\))? mismatches the version that was used to compile\s+PyTorch "
     r"\((?P<torch>[\d.]+)\)", 1, _toolkit, False),
    (r"detected CUDA version \(%s\) mismatches the version that was used to compile\s*PyTorch \(%s\)[^\n]{0,200}"
     r"(?:\n[^\n]{0,200}){0,2}?'\s{0,3},\s{0,3}'(?P<nvcc>\d{1,2}\.\d{1,2})'\s{0,3},\s{0,3}'(?P<torch>\d{1,2}\.\d{1,2})'",
     1, _toolkit, False),
    (r"Installed CUDA version (?P<nvcc>[\d.]+) does not match the version torch was compiled with (?P<torch>\d+(?:\.\d+)*)",
     1, _toolkit, False),
    # k2's get_version.py (k2-fsa/k2, read): assert torch.version.cuda in collect_env.get_running_cuda_version() (the
    # release of `nvcc --version`), 'PyTorch is built with CUDA version: {torch}.\nThe current running CUDA version is:
    # {nvcc}': its build needs nvcc's CUDA to be torch's, major and minor (k2-fsa/k2#1158, #1189)
    (r"PyTorch is built with CUDA version:?\s*(?P<torch>\d{1,2}\.\d{1,2})\.?\s+The current running CUDA version is:?\s*"
     r"(?P<nvcc>\d{1,2}\.\d{1,2})(?:\.\d{1,4})?", 1,
     lambda mo, line: (C.TOOLKIT_MISMATCH, {"subject": mo.group("nvcc"), "nvcc": mo.group("nvcc"),
                                            "torch": mo.group("torch"), "exact": "k2"}), False),
    # torch.utils.cpp_extension's (apex's, DeepSpeed's) older wording: the torch CUDA is named, nvcc's is not
    (r"Cuda extensions are being compiled with a version of Cuda that does not match the version used to compile "
     r"Pytorch binaries\.?(?:\s*Pytorch binaries were compiled with Cuda (?P<torch>\d+(?:\.\d+)*))?", 1,
     lambda mo, line: (C.TOOLKIT_MISMATCH, {"subject": "", "torch": mo.group("torch") or "", "old_wording": "yes"}), False),
    (r"CUDA_HOME does not exist|CUDA_HOME environment variable is not set", 1, _fixed(C.CUDA_HOME, subject=""), False),
    # raised: torch's cpp_extension ('CUDA was not found on the system, please set the CUDA_HOME or the CUDA_PATH
    # environment variable'); ColossalAI's 'CUDA_HOME is not found' / 'CUDA_HOME is None, please set CUDA_HOME';
    # transformers' 'DeepGEMM's JIT needs a CUDA toolkit ≥ 12.3, but none was found'
    (r"\b(?:[A-Z]\w{0,30}Error|Exception)\b[^\n]{0,200}?(?:\bCUDA was not found on the system, please set the CUDA_HOME|"
     r"\bCUDA_HOME is (?:not found|None)\b|\bneeds a CUDA toolkit\s{0,2}(?:≥|>=)\s{0,2}[\d.]{1,8},? but none was found)", 1,
     failure_only(_fixed(C.CUDA_HOME, subject="")), False),
    # nvcc asked for where the toolkit should be and not there, raised (torch's cpp_extension "nvcc not found at
    # '<path>'", ColossalAI's 'The nvcc compiler is not found in <path>', Horovod's 'Cannot find `nvcc`')
    (r"\b(?:[A-Z]\w{0,30}Error|Exception)\b[^\n]{0,200}?(?:\bnvcc (?:compiler )?(?:is )?not found (?:at|in)\s{0,3}" + Q
     + r"([^\s'\"`,]{1,300})" + Q + r"|\b(?:Cannot|Unable to) find `?nvcc`?|\bCannot find CUDA (?:path|headers in)\b)", 1,
     failure_only(lambda mo, line: (C.CUDA_HOME, {"subject": "", "nvcc_path": (mo.group(1) or "").rstrip(".")})), False),
    (r"\bCUDA Toolkit not found\b|\bnvcc was not found\.?\s{0,3}Are you sure your environment has nvcc available|"
     r"\bFailed to find CUDA headers\b|\bCould not find NVCC at\b|\bCould not find cuda_runtime\.h in\b|"
     r"\bCannot find CUDA_HOME\b|\bCould not find nvcc and default cuda_home\b|\bNo CUDA toolkit found\b|"
     r"\bCUDA toolkit is not available\. Skipping compilation of CUDA extensions", 1,
     failure_only(lambda mo, line: None if _other_gpu(mo) else (C.CUDA_HOME, {"subject": ""})), False),
    # a package's JIT-built CUDA kernel that did not build or load, after which it runs its slower torch code
    # (IndexTTS' 'Failed to load custom CUDA kernel for BigVGAN. Falling back to torch.'): torch's cpp_extension needs a
    # CUDA toolkit (nvcc) of torch's CUDA, which is most often what is missing (advice: the program goes on)
    (r"\bFailed to load custom CUDA kernel for [\w.-]{1,40}\. Falling back to torch\b", 1,
     unconditional(_fixed(C.CUDA_HOME, subject="", advisory="yes", jit_fallback="yes")), False),
    # a package's own check of the C++ ABI its ops were built with against torch's (DeePMD-kit's 'This deepmd-kit
    # package was compiled with CXX11_ABI_FLAG=0, but PyTorch runtime was compiled with CXX11_ABI_FLAG=1')
    (r"\bThis ([\w.-]{1,40}) package was compiled with CXX11_ABI_FLAG=([01]), but PyTorch runtime was compiled with "
     r"CXX11_ABI_FLAG=([01])", 0,
     unconditional(lambda mo, line: None if mo.group(2) == mo.group(3) else (
         C.EXT_ABI, {"subject": mo.group(1), "cxx11_abi": mo.group(1), "built_abi": mo.group(2), "torch_abi": mo.group(3)})),
     False),
    # BEAGLE's words for CUDA_ERROR_NOT_INITIALIZED ('CUDA error: "Driver not initialized" from file
    # <GPUInterfaceCUDA.cpp>'): its CUDA resource on a machine whose driver did not start, or that has none (medium)
    (r"\bCUDA error: \"?Driver not initialized\"?", 1,
     unconditional(lambda mo, line: (C.NO_DRIVER, {"subject": "", "beagle": "yes"})
                   if re.search(r"beagle|GPUInterfaceCUDA", mo.string[:20000], re.IGNORECASE) else None), False),
    # TensorFlow/XLA's own check: the kernel module's version against libcuda's (the DSO); its cuda_diagnostics say why
    # cuInit failed, so they lead the cuInit error (layer 0, as its 'unable to find libcuda.so DSO')
    (r"kernel version ([\d.]{3,20}\d) does not match DSO version ([\d.]{3,20}\d)", 0, _dso_version, False),
    # ... and 'kernel driver does not appear to be running on this host (h): /proc/driver/nvidia/version does not
    # exist' when no NVIDIA kernel module is loaded (modprobe's 'could not insert 'nvidia_uvm'' says the same)
    (r"kernel driver does not appear to be running on this host|/proc/driver/nvidia/version does not exist|"
     r"modprobe: (?:ERROR|FATAL): could not insert '?nvidia[\w-]{0,20}'?|"
     r"FATAL: Error inserting nvidia[\w-]{0,20} \([^)\n]{0,300}\.ko\)|Kernel module nvidia(?:_uvm)? is not loaded", 0,
     failure_only(_fixed(C.NO_DRIVER, subject="", kernel_module="yes")), False),
    # ldd's answer naming the toolkit's stub as libcuda.so.1 (a stubs directory on LD_LIBRARY_PATH or in ld.so.conf)
    (r"\blibcuda\.so(?:\.1)?\s{0,4}=>\s{0,4}/[^\s()]{0,300}/stubs/libcuda\.so(?:\.1)?", 0,
     _fixed(P.STUB, subject="", ldd="yes"), False),
    # TensorFlow's stub: libcuda.so.1 (the driver's library) could not be loaded
    (r"Could not find cuda drivers on your machine", 0,
     lambda mo, line: (C.LIBCUDA, {"subject": "libcuda.so.1", "soname": "libcuda.so.1"}), False),
    # NVML's own name of the mismatch (nvml.h: NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18, 'RM detects a driver/library
    # version mismatch'; pynvml's class NVMLError_LibRmVersionMismatch, its text 'RM has detected an NVML/RM version
    # mismatch', read in pynvml's nvml.py)
    (r"Driver/library version mismatch|system has unsupported display driver / cuda driver combination|"
     r"cudaErrorSystemDriverMismatch|NVRM: API mismatch|NVML_ERROR_LIB_RM_VERSION_MISMATCH|NVMLError_LibRmVersionMismatch|"
     r"RM has detected an NVML/RM version mismatch", 1, _nvml, False),
    (r"provided PTX was compil?ed with an unsupported toolchain|cudaErrorUnsupportedPtxVersion|"
     r"CUDA_ERROR_UNSUPPORTED_PTX_VERSION", 1, _fixed(C.PTX_TOO_NEW, subject=""), False),
    # a GPU index beyond those visible (cuda:1 with one GPU, CUDA_VISIBLE_DEVICES leaving fewer)
    (r"invalid device ordinal|cudaErrorInvalidDevice\b|CUDA_ERROR_INVALID_DEVICE\b", 1,
     _fixed(C.NO_DEVICE, subject="", ordinal="yes"), False),
    # torch's 'device >= 0 && device < num_gpus INTERNAL ASSERT FAILED': an index the process cannot see (MIG: one per process)
    (r"device >= 0 && device < num_gpus", 1, _fixed(C.NO_DEVICE, subject="", num_gpus="yes"), False),
    (r"no CUDA-capable (?:device )?is detected|cudaErrorNoDevice|CUDA_ERROR_NO_DEVICE|No CUDA GPUs are available|"
     r"unknown error[\s-]{0,4}this may be due to an incorrectly set up environment|set the available devices to be zero|"
     r"Setting the available devices to be zero", 1, _fixed(C.NO_DEVICE, subject=""), False),
    # a program's count of the GPUs CUDA gave it ('Found 0 GPU(s). Start DDP', MPI-Dortmund/tomotwin-cryoet#135)
    (r"\bFound 0 (?:CUDA )?GPU(?:\(s\)|s\b)?(?=[ \t]*(?:[.!;]|\n|$))", 1,
     failure_only(lambda mo, line: None if _counts_gpus(mo.string) else (C.NO_DEVICE, {"subject": ""})), False),
    # libnvidia-container under WSL finding no GPU adapter (/dev/dxg): WSL1, or a Windows host without an NVIDIA GPU
    # or its WSL-capable driver ('nvidia-container-cli: initialization error: WSL environment detected but no adapters
    # were found', read in setup notes and READMEs of several projects that hit it)
    (r"WSL environment detected but no adapters were found", 1, _fixed(C.NO_DEVICE, subject="", wsl_adapter="yes"),
     False),
    # nvidia-docker 1.x (Go: 'unsupported CUDA version: driver %s < image %s', its cuda.go; its wiki's example
    # 'driver 7.0 < image 7.5')
    (r"unsupported CUDA version:\s*driver (\d{1,2}\.\d{1,2}) < image (\d{1,2}(?:\.\d{1,3}){1,2})", 1, _v1_requirement,
     False),
    (P.STUB_PATTERN[0], P.STUB_PATTERN[1], _fixed(P.STUB_PATTERN[2], subject=""), False),
    # a driver-API error whose name libcuda could not give ('CUDA Error: (null)' from cuGetErrorName): the stub
    # libcuda fails every call, the naming one too; a code this driver does not know does the same (less likely)
    (r"CUDA[ _]?Error:?\s*\(null\)", 1, _fixed(P.STUB, subject="", null_name="yes"), False),
    (r"(?:Failed to initiali[sz]e NVML|\bNVML|nvmlInit(?:_v2)?\(\) failed):\s{0,3}Unknown Error", 1,
     _fixed(C.NVML_UNKNOWN, subject=""), False),
    # 'Failed to Initialize NVML' with no reason after it: the container's lost device access or a version mismatch
    (r"Failed to initiali[sz]e NVML(?![ \t]*:[ \t]*\S)", 1, _fixed(C.NVML_UNKNOWN, subject="", bare="yes"), False),
    # NVML (libnvidia-ml.so.1, the driver's library) that could not be loaded or bound: ollama's 'nvml vram init failure'
    # NVIDIA's Kubernetes device plugin (always in a container) that finds no NVML: the container runtime did not
    # inject the driver's libraries (nvidia is not the default runtime on the node)
    (r"Failed to start nvml with error:?\s*could not load NVML library", 1, _fixed(C.CONTAINER_NO_GPU, subject="",
                                                                                   device_plugin="yes"), False),
    (r"could not load NVML library:?\s*" + Q + SONAME, 1, _missing(), False),
    # the same without the library's name (the plugin's own log line): its container was given no NVIDIA runtime
    (r"could not load NVML library(?![\w:])", 1, _fixed(C.CONTAINER_NO_GPU, subject="", device_plugin="yes"), False),
    # NVML's NVML_ERROR_LIBRARY_NOT_FOUND (12, 'NVML Shared Library couldn't be found or loaded', nvml.h; pynvml's
    # NVMLError_LibraryNotFound, 'NVML Shared Library Not Found'; go-nvml's ERROR_LIBRARY_NOT_FOUND after 'nvml init')
    (r"nvml (?:vram )?init(?:ialization)? failure|(?:unable|failed) to load (?:the )?nvml\b|"
     r"NVML_ERROR_LIBRARY_NOT_FOUND|NVMLError_LibraryNotFound|NVML Shared Library Not Found|"
     r"\bnvml\b[^\n]{0,40}?\bERROR_LIBRARY_NOT_FOUND", 1,
     _fixed(C.LIBCUDA, subject="nvml", soname="libnvidia-ml.so.1"), False),
    (r"Found no NVIDIA driver on your system|NVIDIA-SMI has failed because it couldn'?t communicate with the NVIDIA "
     r"driver|nvml error:?\s*driver not loaded|NVML: Driver Not Loaded|NVML_ERROR_DRIVER_NOT_LOADED|"
     r"(?-i:: Driver Not Loaded\b)|nvidia-container-cli:? initialization error: driver error: failed to process request|"
     r"CUDA driver initialization failed,? you might not have a CUDA gpu", 1,
     _fixed(C.NO_DRIVER, subject=""), False),
    (r"system not yet initialized|cudaErrorSystemNotReady|CUDA_ERROR_SYSTEM_NOT_READY", 1,
     _fixed(C.SYSTEM_NOT_READY, subject=""), False),
    (r"forward compatibility was attempted on non supported HW|CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE|"
     r"cudaErrorCompatNotSupportedOnDevice", 1, _fixed(C.FWD_COMPAT, subject=""), False),
    (r"(?:Call to|\bNCCL(?: WARN)?:?) (?:shm_open|posix_fallocate|ftruncate|mmap) failed|Error while creating shared memory segment|"
     r"failed to extend /dev/shm/nccl-[\w\-]{1,40} to \d+ bytes|failed to create shared memory file /dev/shm/|"
     r"ncclShmOpen|NCCL_SHM_DISABLE", 1, _nccl(True), False),
    (r"unhandled system error|ncclSystemError", 1, _nccl(False), False),
    # host memory: Windows' page file (error 1455), torch's CPU allocator, a DataLoader worker the OOM killer took
    (PAGEFILE.pattern, 1, unconditional(_fixed(C.HOST_MEMORY, subject="page file", pagefile="yes")), False),
    (r"\bDefaultCPUAllocator: (?:not enough memory|can't allocate memory): you tried to allocate (\d{1,16}) bytes", 1,
     unconditional(lambda mo, line: (C.HOST_MEMORY, {"subject": "RAM", "cpu_bytes": mo.group(1)})), False),
    (r"\bDataLoader worker \(pid[^)\n]{0,40}\) is killed by signal: Killed\b", 1,
     unconditional(_fixed(C.HOST_MEMORY, subject="RAM", oom_killer="yes")), False),
    # torch's DataLoader workers pass batches through shared memory (/dev/shm): 'DataLoader worker (pid 123) is killed
    # by signal: Bus error. It is possible that dataloader's workers are out of shared memory.', the worker's own
    # 'Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)', and the
    # shared-memory manager's 'unable to write to file </torch_123_456>: No space left on device (28)'
    (r"\bDataLoader worker \(pid[^)\n]{0,40}\) is killed by signal: Bus error\b|\bUnexpected bus error encountered in "
     r"worker\. This might be caused by insufficient shared memory\b|\bunable to write to file </torch_[\d_]{1,40}>:?"
     r"\s{0,3}No space left on device", 1,
     unconditional(_fixed(C.NCCL_SHM, subject="/dev/shm", dataloader="yes")), False),
    # text-generation-inference's launcher (launcher/src/main.rs: '{Download,Shard} process was signaled to shutdown
    # with signal {signal}'; TEI's 'Python Backend process ...'): SIGBUS (7) in a container is, most often, a write to
    # a full /dev/shm (NCCL's segments in sharded runs, shared-memory tensors) (medium)
    (r"\bprocess was signaled to shutdown with signal:?\s*7\b", 1,
     _fixed(C.NCCL_SHM, subject="/dev/shm", sigbus="yes"), False),
    (r"operator ([A-Za-z_]\w{0,60})::(\w{1,120}) does not exist|No such operator ([A-Za-z_]\w{0,60})::(\w{1,120})|"
     r"Could not run '(?!aten::)([A-Za-z_]\w{0,60})::(\w{1,120})' with arguments from the '(?:CUDA|HIP|MPS|CPU)' backend", 1,
     lambda mo, line: _operator(_Pair(mo), line), False),
    (r"([A-Za-z][\w\- ]{0,40}?) was built for:?\s*PyTorch\s+([\w.+]+)[^\n(]{0,80}\(you have ([\w.+]+)\)", 1, _built_for,
     False),
    # Horovod's check of the framework it was built against ('Framework pytorch installed with version 2.1.2+cu121 but
    # found version 2.3.1+cu121')
    (r"\bFramework (pytorch|tensorflow|mxnet) installed with version ([\w.+\-]{0,29}[\w+]) but found version ([\w.+\-]{0,29}[\w+])", 1,
     lambda mo, line: (C.EXT_ABI, {"subject": "horovod", "object": "horovod", "symbol": "", "framework": mo.group(1),
                                   "built_with": mo.group(2), "found": mo.group(3)}), False),
    (r"Torch not compiled with CUDA enabled|(?:PyTorch|torch) (?:was|is) (?:compiled|built) without CUDA", 1,
     _fixed(C.TORCH_CPU, subject="torch"), False),
    (r"([A-Za-z][\w\-]{1,40}) (?:wasn'?t|was not) buil[dt] with CUDA support", 1, _not_built_with_cuda, False),
    # ptxas (Triton's, a build's) older than the PTX it was given: 'Unsupported .version 7.3; current version is '7.2''
    (r"Unsupported \.version (\d+\.\d+);\s*current version is '?(\d+\.\d+)", 1,
     lambda mo, line: (C.PTX_TOO_NEW, {"subject": "", "ptx": mo.group(1), "ptxas": mo.group(2)}), False),
    (r"device kernel image is invalid|CUDA_ERROR_INVALID_IMAGE|cudaErrorInvalidKernelImage|CUDA: Error- invalid image", 1,
     lambda mo, line: (C.PTX_TOO_NEW, {"subject": "", "invalid_image": "yes"}), False),
    (r"failed to mount overlay:? operation not permitted|mount[^\n]{0,80}overlay[^\n]{0,80}operation not permitted", 1,
     _fixed(C.DIND_OVERLAY, subject=""), False),
    (r"iptables[\s\S]{0,300}?(?:Permission denied|you must be root)", 1, _fixed(C.DIND_IPTABLES, subject=""), False),
    (r"'?overlay'? not found as a supported filesystem|Setup IP forwarding failed:[^\n]{0,120}read-only file system", 1,
     _fixed(C.DIND_OVERLAY, subject=""), False),
    # iptables-nft inside a container (docker-in-docker) where the nf_tables backend cannot be used
    (r"iptables v[\d.]+ \(nf_tables\):?\s*(?:CHAIN_ADD|RULE_APPEND|TABLE_ADD)[^\n]{0,20}failed", 1,
     _fixed(C.DIND_IPTABLES, subject=""), False),
    # CUDA's error table by number, enum name and text; library status names; Kubernetes (cuda_errors.py)
    *CE.CUDA_PATTERNS,
    # what programs report when the above failed
    # ggml's device code on a GPU its build has no kernels for (ggml-cuda.cu's bad_arch(): 'ERROR: ggml-cuda was
    # compiled without support for the current GPU architecture.', in llama.cpp, whisper.cpp and koboldcpp builds)
    (r"\b[\w\-.]{1,40} (?:was|is) compiled without support for (?:the current|this) GPU architecture", 2,
     _fixed(C.NO_KERNEL, subject=""), False),
    # ggml's per-kernel check (ggml-cuda's NO_DEVICE_CODE: 'ERROR: CUDA kernel flash_attn_ext_f16 has no device code
    # compatible with CUDA arch 610. ggml-cuda.cu was compiled for: 610'): a kernel without code for this GPU
    (r"CUDA kernel (\w{1,80}) has no device code compatible with CUDA arch (\d{3,4})\b(?:\.?\s{0,4}[\w\-.]{1,40} was "
     r"compiled for:?\s{0,4}(\d{3,4}(?:\s{0,2},\s{0,2}\d{3,4}){0,20}))?", 2, _ggml_kernel, False),
    # Kokkos' check at start: its kernels were compiled for another architecture (Kokkos_ARCH_*) than this GPU's
    (r"Kokkos::Cuda::initialize ERROR:?\s{0,3}(?:likely mismatch of architecture|running kernels compiled for compute "
     r"capability (\d+\.\d+)[^\n]{0,40}? on device with compute capability (\d+\.\d+))", 2,
     lambda mo, line: (C.NO_KERNEL, {"subject": "", "kokkos": "yes", "built_cc": mo.group(1) or "",
                                     "here_cc": mo.group(2) or ""}), False),
    # HIP's 'hipErrorNoBinaryForGpu: Unable to find code object for all current devices!' (ROCm: no gfx target of
    # the build is this GPU's)
    (r"hipErrorNoBinaryForGpu|Unable to find code object for all current devices", 2, _rocm_no_binary, False),
    # SageAttention's 'SM89 kernel is not available. Make sure you GPUs with compute capability 8.9.' (its build did
    # not compile those kernels)
    (r"\bSM(\d{2,3}) kernels? (?:is|are) not available\b", 2, _sm_kernel, False),
    # TensorRT's builder ('Error Code 2: OutOfMemory', 'Requested amount of GPU memory (4294967296 bytes) could not be
    # allocated'): its workspace or tactics asked for more GPU memory than was free
    (r"\bError Code \d{1,2}: OutOfMemory\b|Requested amount of GPU memory \((\d{1,20}) bytes\) could not be allocated", 2,
     lambda mo, line: (C.CUDA_OOM, {"subject": "", "trt_memory": _trt_bytes(mo)}), False),
    (r"no kernel image (?:is )?available(?: for execution)?|invalid device function|cudaErrorNoKernelImageForDevice|"
     r"CUDA_ERROR_NO_BINARY_FOR_GPU", 2, _no_kernel, False),
    (r"CUDA:? out of memory|CUDA[ _]?(?:(?:runtime|driver) )?(?:(?:failed with )?error|failure)s?\W{0,4}out of memory|Tried to allocate [\d.]+ [KMGT]?i?B \(GPU \d+;\s*[\d.]+ [KMGT]?i?B "
     r"total capacity|torch\.(?:cuda\.)?OutOfMemoryError|cudaErrorMemoryAllocation|"
     # torch's caching allocator where a memory fraction or a device limit is set ('Allocation on device 0 would
     # exceed allowed memory. (out of memory)', then 'Currently allocated', 'Requested', 'Device limit')
     r"Allocation on device \d{1,2} would exceed allowed memory|"
     r"CUDA_ERROR_OUT_OF_MEMORY",
     2, _oom, False),
    # HAMi's in-pod CUDA allocator ('[HAMI-core ERROR ...]: cuMemoryAllocate failed res=2'): 2 is CUDA's out of
    # memory, here the pod's share of the GPU (nvidia.com/gpumem)
    (r"\bcuMem\w{0,20}Allocate failed res=2\b", 2,
     unconditional(failure_only(lambda mo, line: (C.CUDA_OOM, {"subject": "", "hami": "yes"}))), False),
    (r"DNN library initialization failed|Could not create cudnn handle:?\s*CUDNN_STATUS_\w+", 2,
     _fixed(C.DNN_INIT, subject=""), False),
    # TensorFlow's stream executor when its cuDNN could not be loaded or started: 'UNIMPLEMENTED: DNN library is not
    # found.' (tsl::errors::Unimplemented in stream_executor's dnn.h when no DNN support exists; the threads and
    # notes: a cuDNN of another version than TensorFlow's build, e.g. after a Colab update, or none installed)
    (r"DNN library is not found", 2, _fixed(C.CUDNN_MISMATCH, subject="", tf_no_dnn="yes"), False),
    # TensorFlow's cuda_dnn.cc after cudnnCreate gave CUDNN_STATUS_NOT_INITIALIZED: 'Possibly insufficient driver
    # version: 384.69.0' (LOG(ERROR) beside 'Could not create cudnn handle', which leads when both are there)
    (r"possibly insufficient driver version:?\s*(\d{3}(?:\.\d{1,3}){0,2})", 2,
     lambda mo, line: (C.DRIVER_OLD, {"subject": "", "tf_driver": mo.group(1)}), False),
    # vLLM found no GPU memory left for its KV cache after loading the weights
    (r"No available memory for the cache blocks|larger than the available KV cache memory|larger than the maximum "
     r"number of tokens that can be stored in KV cache", 2,
     _fixed(C.CUDA_OOM, subject="", kv_cache="yes"), False),
    # an allocation of GPU memory that failed, in the words of the CUDA call or library that made it
    # (Theano's device_malloc: 'Error allocating %llu bytes of device memory (%s).' with cudaGetErrorString's text)
    (r"\b(?:cudaMalloc(?!Host)\w{0,12}|cuMemAlloc(?!Host)\w{0,12})\b[^\n]{0,60}?\bout of memory|device memory \(out of memory\)|CU(?:DNN|FFT|SPARSE|SOLVER)_STATUS_ALLOC_FAILED|"
     r"(?:RESOURCE_EXHAUSTED|Resource exhausted):?\s*Out of memory (?:while trying to allocate|allocating)|"
     r"OOM when allocating tensor[^\n]{0,400}?device:GPU|"
     # TensorFlow's BFC allocator before it raises ResourceExhaustedError (its 'The caller indicates that this is
     # not a failure' form is a retry, and not read)
     r"\bRan out of memory trying to allocate [\d.]{1,12}\s?[KMGT]i?B\.\s{0,3}See logs for memory state|"
     # torch's OutOfMemoryError as ComfyUI prints it ('!!! Exception during processing !!! Allocation on device',
     # then 'Got an OOM, unloading all loaded models.'); tinygrad's 'Allocation of 4.00 GB failed on CUDA'
     r"(?:OutOfMemoryError:?|!!! Exception during processing !!!)\s{0,3}Allocation on device\b|"
     r"\bGot an OOM, unloading all loaded models|\bAllocation of [\d.]{1,12}\s?[KMGT]i?B failed on CUDA\b|"
     r"(?:\[(?:Fatal|Error)\]\s{0,3}|LightGBMError:\s{0,3})\[CUDA\] out of memory\b|\bTorch GPU out-of-memory error:\s{0,2}\{|"
     r"\bUnavailable GPUs due to insufficient memory: \[\s{0,2}'",
     2, _oom, False),
    # vLLM's 'Free memory on device cuda:0 (61.2/79.19 GiB) on startup is less than desired GPU memory utilization',
    # SGLang's 'Not enough memory. Please try to increase --mem-fraction-static' and 'The memory capacity is
    # unbalanced. Some GPUs may be occupied by other processes', accelerate's 'No executable batch size found'
    (r"\bFree memory on device \S{1,20} \([\d.]{1,10}/[\d.]{1,10} GiB\) on startup is less than desired GPU memory|"
     r"\bNot enough memory\. Please try to increase --mem-fraction-static|\bThe memory capacity is unbalanced\. Some GPUs "
     r"may be occupied|\bNo executable batch size found, reached zero", 2, failure_only(_oom), False),
    # XLA's StreamExecutor allocation (absl::ResourceExhaustedError('Failed to allocate request for %s (%uB) on device
    # ordinal %d')): JAX/XLA's GPU memory, with its preallocation, is full
    (r"Failed to allocate request for ([\d.]{1,12})\s?([KMGTP]?i?B) \(\d{1,20}B\) on device ordinal \d{1,3}", 2,
     lambda mo, line: (C.CUDA_OOM, {"subject": "", "tried": f"{mo.group(1)} {mo.group(2)}", "xla": "yes"}), False),
    # ONNX Runtime's memory arena (BFCArena::AllocateRawInternal, bfc_arena.cc): the device it allocates for (the GPU
    # under the CUDA execution provider) had no free block of that size
    (r"BFCArena::AllocateRawInternal\b[^\n]{0,120}?Failed to allocate memory for requested buffer of size (\d{1,20})", 2,
     lambda mo, line: (C.CUDA_OOM, {"subject": "", "ort_arena": mo.group(1)}), False),
    # a compiled extension that aborts or crashes while torch loads it (torch.ops.load_library, in a faulthandler
    # trace): built against another torch, whose C++ ABI it no longer matches (torchao's .so under a torch nightly)
    (r"Fatal Python error:\s{0,3}(?:Aborted|Segmentation fault)[\s\S]{0,1500}?torch[/\\]_ops\.py\"?,? line \d{1,6},? in "
     r"load_library", 2, _load_library_crash, False),
    # ptxas given PTX for a newer architecture than it compiles for (the driver's JIT on an older GPU, or nvcc/ptxas
    # without -arch): 'SM version specified by .target is higher than default SM version assumed'
    (r"SM version specified by \.target is higher than (?:the )?default SM version assumed", 2,
     _fixed(C.NO_KERNEL, subject="", ptx_target="yes"), False),
    # a program's own check that torch sees a CUDA GPU ('Unsloth: No NVIDIA GPU found? Unsloth currently only
    # supports GPUs!'): torch.cuda.is_available() was False, most often a CPU-only torch build
    (r"No NVIDIA GPU found\?[^\n]{0,80}?only supports (?:NVIDIA )?GPUs|cannot find any torch accelerator\?|"
     # GFPGAN's and its apps' background upsampler: torch.cuda.is_available() was False, so RealESRGAN is skipped
     r"\bThe unoptimized RealESRGAN is slow on CPU\b|"
     r"\bcan not run on your system since the accelerator is not available|"
     r"there are no visible CUDA devices on this machine|\bBut your machine only has:\s{0,3}\[\]|"
     r"\bcannot be created as torch\.cuda is not available|torch\.cuda\.is_available\(\) should be True but is False|"
     r"\bNo GPU (?:or Intel XPU )?found\. A GPU (?:or Intel XPU )?is needed\b|\bDevice \d{1,2} is not available, available devices are \[\]|"
     r"\b0 active drivers \(\[\]\)\. There should only be one|\bCUDA unavailable, invalid device 0 requested|"
     r"\bTorch device 'cuda' not available for backend|\brequires CUDA(?: or \w{2,10})?, current accelerator is cpu\b|(?:Error|Exception)\b[^\n]{0,160}?\brequires a CUDA-capable NVIDIA GPU\b|"
     r"(?:Error|Exception)\b[^\n]{0,60}?\b\w{2,40} requires CUDA\.(?=[ \t]*(?:\n|$))|"
     r"\bcuda is not available\.?(?=[ \t]*(?:\n|$))|but no CUDA devices? (?:are|is) available|"
     r"\bCUDA is required for AMP training|Unknown compute capability\. Ensure PyTorch with CUDA support is installed|"
     # a program's own 'assert torch.cuda.is_available()' failing, as the traceback shows it
     r"\bassert\s{1,4}torch\.cuda\.is_available\(\)[^\n]{0,200}\n(?:[^\n]{0,300}\n){0,2}?[^\n]{0,40}?\bAssertionError\b",
     1,
     failure_only(_gpu_check), False),
    # ultralytics' select_device: a device index torch does not see; its own lines below say whether torch saw a GPU
    (r"\bInvalid CUDA '?device=[\d,]{1,20}'? requested\b", 1, failure_only(_gpu_check), False),
    # a CPU-only torch named by a program's own check (exllamav2's 'PyTorch is 2.5.1+cpu and does not support CUDA',
    # flashinfer's 'PyTorch is not built with CUDA support')
    (r"PyTorch is ([\w.]{1,20}\+cpu) and does not support CUDA|PyTorch is not built with CUDA support|"
     r"\bPytorch ([\w.]{1,20}\+cpu) is installed without CUDA support|\bversion=\"?([\w.]{1,20}\+cpu)\"? CPU version installed|"
     r"\bthis PyTorch installation does not support CUDA\b", 1,
     failure_only(lambda mo, line: (C.TORCH_CPU, {"subject": "", "have": mo.group(1) or mo.group(2) or mo.group(3) or ""})),
     False),
    # torch (2.6 and later) asked for an accelerator, as pin_memory() does, with none: a CPU-only build, or no GPU seen
    (r"Cannot access accelerator device when none is available", 1, _gpu_check, False),
    # a package's ops compiled without CUDA (mmcv's 'nms is not compiled with GPU support', detectron2's 'Not compiled
    # with GPU support'): its build found no CUDA toolkit (or no FORCE_CUDA without a visible GPU)
    (r"\b(?:\w{1,40} is n|N)ot compiled with GPU support\b", 1,
     _fixed(C.CUDA_HOME, subject="", no_gpu_build="yes"), False),
    # darknet's cuda_make_array after cudaMalloc failed: ' Try to set subdivisions=64 in your cfg-file.'
    (r"Try to set subdivisions=\d{1,4} in your cfg-file", 2, _fixed(C.CUDA_OOM, subject="", darknet="yes"), False),
    # cuDNN found no convolution algorithm it could run: the threads found none fitting in the memory left
    (r"Unable to find a valid cuDNN algorithm to run convolution", 2,
     _fixed(C.CUDA_OOM, subject="", cudnn_algo="yes"), False),
    # cuBLAS could not allocate while creating its handle: the threads found the GPU (nearly) full
    # (MXNet's mshadow: 'CHECK_EQ(err, CUBLAS_STATUS_SUCCESS) << "Create cublas handle failed"', stream_gpu-inl.h)
    (r"CUBLAS_STATUS_NOT_INITIALIZED\W{0,3}\s*when calling\s*" + Q + r"cublasCreate|CUBLAS_STATUS_ALLOC_FAILED|"
     r"failed to create cublas handle:?\s*CUBLAS_STATUS_NOT_INITIALIZED|\bCreate cublas handle failed", 2,
     _fixed(C.CUDA_OOM, subject="", cublas_create="yes"), False),
    # cuBLAS could not create its handle (cublasCreate failed): like cuDNN's, the CUDA stack under it did not start
    (r"CUBLAS_STATUS_NOT_INITIALIZED", 2, _fixed(C.DNN_INIT, subject="", cublas="yes"), False),
    # a launcher's own advice when the CUDA build does not start with the driver installed
    (r"\btry updating your (?:nvidia|gpu|graphics) drivers?\b", 2, _fixed(C.DRIVER_OLD, subject="", advice="yes"), False),
    # flash-attn's setup checks the nvcc that builds it: 'FlashAttention is only supported on CUDA 11.6 and above'
    (r"(\w{2,40}) is only supported on CUDA (\d{2}(?:\.\d)?) and above", 1,
     lambda mo, line: (C.TOOLKIT_MISMATCH, {"subject": mo.group(2), "package": mo.group(1), "min_cuda": mo.group(2)}),
     False),
    # numba (cuDF's check): a toolkit newer than the driver, which CUDA 12's minor version compatibility does not cover
    (r"Using CUDA toolkit version \((\d+), (\d+)\) with CUDA driver version \((\d+), (\d+)\) requires minor version "
     r"compatibility", 1,
     lambda mo, line: (C.DRIVER_OLD, {"subject": "", "driver_cuda": f"{mo.group(3)}.{mo.group(4)}",
                                      "toolkit_cuda": f"{mo.group(1)}.{mo.group(2)}"}), False),
    # torch's lazy NVRTC load: 'Error in dlopen for library libnvrtc.so.12and libnvrtc-XXXXXXXX.so.12'
    (r"Error in dlopen for library (lib[\w+\-]{1,60}\.so\.\d{1,3})(?=and\b|\s|$)", 0, _missing(), False),
    # a CUDA runtime function the loaded libcudart lacks ('cudaGetErrorString symbol not found'): another CUDA's
    # runtime was found first (a mixed CUDA stack)
    (r"\b(cuda[A-Z]\w{2,60}) symbol not found", 1,
     lambda mo, line: (C.CUDA_SYMBOL, {"subject": mo.group(1), "symbol": mo.group(1), "library": "libcudart"}), False),
    # a runtime's own minimum ('MAX requires a minimum driver version of 580 and CUDA version 13.0. Your driver
    # version is 570', modular/modular#6520)
    (r"requires? (?:a )?minimum (?:NVIDIA )?(?:GPU )?driver version (?:of )?(\d{3}(?:\.\d{1,3}){0,2})", 1,
     lambda mo, line: (C.DRIVER_OLD, dict({"subject": "", "min_driver": mo.group(1)}, **_have_driver(mo))), False),
    # Warp's check of the driver's CUDA ('Insufficient CUDA driver version. The minimum required CUDA driver version is
    # 12.0, but the installed CUDA driver version is 11.8'): the build's CUDA needs a newer driver
    (r"requires CUDA driver (\d{1,2}\.\d{1,2}) or higher, but the current driver only supports CUDA (\d{1,2}\.\d{1,2})|"
     r"requires an NVIDIA driver for CUDA (\d{1,2}(?:\.\d{1,2})?)(?:\.x)? or higher \(yours only supports up to CUDA "
     r"(\d{1,2}\.\d{1,2})|Driver supports cuda toolkit version (\d{1,2}\.\d{1,2}), but the driver needs to support at "
     r"least (\d{1,2})[.,](\d{1,2})", 1, _driver_cuda_forms, False),
    # ethminer's 'CUDA error: Insufficient CUDA driver: 9020': the CUDA the driver supports (9.2) is older than the
    # build's
    (r"\bInsufficient CUDA driver:\s{0,2}(\d{4,5})\b", 1,
     unconditional(lambda mo, line: (C.DRIVER_OLD, {"subject": "", "driver_cuda": _cuda_int(mo.group(1))})), False),
    # nvidia-settings and other X tools with no kernel module loaded ('ERROR: NVIDIA driver is not loaded')
    (r"\bERROR: NVIDIA driver is not loaded\b", 1,
     unconditional(failure_only(_fixed(C.NO_DRIVER, subject="", kernel_module="yes"))), False),
    # a vGPU guest whose driver the host's vGPU manager does not accept (the kernel log's 'Xid 78: Guest driver is
    # incompatible with host driver'): the guest has no usable driver until its branch matches the host's
    (r"\bGuest driver is incompatible with host driver\b", 1,
     unconditional(failure_only(_fixed(C.NO_DRIVER, subject="", vgpu_guest="yes"))), False),
    # the open kernel modules on a GPU without a GSP (before Turing: 'is not supported by open nvidia.ko because it
    # does not include the required GPU System Processor (GSP)')
    (r"\bnot supported by open\s{1,40}(?:NVRM:\s{1,4})?nvidia\.ko because it\s{1,40}(?:NVRM:\s{1,4})?does not include "
     r"the required GPU", 1,
     unconditional(_fixed(C.GPU_ARCH, subject="", sm="", open_module="yes")), False),
    # Vulkan's instance creation with no driver of the version it needs (Omniverse's and Isaac Sim's 'VkResult:
    # ERROR_INCOMPATIBLE_DRIVER', 'vkCreateInstance failed. Vulkan 1.1 is not supported, or your driver requires an
    # update'): a driver older than the program's minimum, or no NVIDIA Vulkan driver visible (a container without
    # the graphics capability) (medium)
    (r"\bvkCreateInstance failed\. Vulkan [\d.]{1,5} is not supported, or your driver requires an update|"
     r"\bVkResult: ERROR_INCOMPATIBLE_DRIVER\b", 1,
     unconditional(failure_only(_vulkan)), False),
    # hashcat's check of the driver's CUDA ('Outdated NVIDIA CUDA driver version '8000' detected!': CUDA 8.0)
    (r"\bOutdated NVIDIA CUDA driver version '?\d{4,5}'? detected", 1, _fixed(C.DRIVER_OLD, subject=""), False),
    (r"minimum required CUDA driver version is (\d{1,2}\.\d{1,2}),? but the installed CUDA driver version is "
     r"(\d{1,2}\.\d{1,2})", 1,
     lambda mo, line: (C.DRIVER_OLD, {"subject": mo.group(1), "runtime_cuda": mo.group(1), "driver_cuda": mo.group(2)}),
     False),
    # llama.cpp / ggml's allocation of its model or compute buffers on the GPU ('unable to allocate backend buffer',
    # 'failed to allocate CUDA0 buffer of size N'): the threads found GPU memory too small (medium)
    (r"unable to allocate (?:\w{1,12} )?backend buffer|failed to allocate CUDA\d* buffer of size|"
     r"failed to allocate buffer for kv cache", 2,
     _fixed(C.CUDA_OOM, subject="", ggml="yes"), False),
    # a binding's bare report of cuDNN's status (not at creating a handle): cudnnCreate failed inside cuDNN itself
    (r"CUDNN_STATUS_NOT_INITIALIZED", 2, _fixed(C.CUDNN_MISMATCH, subject="", bare="yes"), False),    CE.INIT_PATTERN,
]
_COMPILED = [(re.compile(p, re.IGNORECASE), layer, fn, wrapper) for p, layer, fn, wrapper in PATTERNS]


class _First:
    """A match object whose group(1) is the first alternative's group that matched."""

    def __init__(self, mo):
        self._mo = mo

    def group(self, i=0):
        if i == 0:
            return self._mo.group(0)
        return next(g for g in self._mo.groups() if g)


def _trt_bytes(mo) -> str:
    """The bytes TensorRT asked for (a later line names them where the first does not)."""
    n = mo.group(1)
    if not n:
        later = re.search(r"Requested amount of GPU memory \((\d{1,20}) bytes\)", mo.string[mo.end():mo.end() + 2000])
        n = later.group(1) if later else ""
    return f"{int(n) / 2 ** 30:.2f} GiB" if n else "yes"


class _Pair:
    """A match object whose groups 1 and 2 are the first pair of alternatives that matched."""

    def __init__(self, mo):
        self._mo = mo
        gs = mo.groups()
        i = next(k for k in range(0, len(gs), 2) if gs[k])
        self._pair = gs[i:i + 2]

    def group(self, i=0):
        return self._mo.group(0) if i == 0 else self._pair[i - 1]


LINE_CONTEXT = 2000  # characters of a line kept either side of a match (details are read from them)


def _line_start(text: str, start: int) -> int:
    """Where the line given to a match's function starts: its line's start, at most LINE_CONTEXT before the match."""
    return max(text.rfind("\n", max(0, start - LINE_CONTEXT), start) + 1, start - LINE_CONTEXT, 0)


def _line_of(text: str, start: int, end: int) -> str:
    a = _line_start(text, start)
    b = text.find("\n", end, end + LINE_CONTEXT)
    return text[a: b if b >= 0 else min(len(text), end + LINE_CONTEXT)]


# a soname typed with a comma ('libcudart,so.11.0'): read as the dot it stands for (same length: offsets hold)
SONAME_COMMA = re.compile(r"\b(lib[\w+\-]{1,60}),so(?=\.\d|\b)")
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def _overlaps(taken: List[Tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) meets a span of `taken` (sorted, disjoint): only its neighbours can."""
    i = bisect.bisect_left(taken, (start, end))
    return any(a < end and start < b for a, b in taken[max(0, i - 1): i + 1])


MAX_UNWRAP = 200_000  # a pasted snippet is read again unwrapped; a whole log is not (twice its time for nothing)
MAX_REJOIN = 20_000   # a snippet a terminal or a web page wrapped; a log is not read three more times


def unwrapped(text: str) -> str:
    """The text with each line that goes on in lower case ('Out \nof memory': a terminal or a web page wrapped it)
    joined to the line before by one space (linear: no pattern scans the runs of blanks)."""
    lines = text.split("\n")
    out: List[List[str]] = [[lines[0]]]          # each output line as its parts: no string grows part by part
    for ln in lines[1:]:
        rest = ln.lstrip(" \t")
        if rest[:1].islower() or rest[:1] == "(":
            out[-1][-1] = out[-1][-1].rstrip(" \t\r")
            out[-1].append(rest)
        else:
            out.append([ln])
    return "\n".join(" ".join(parts) for parts in out)



def recognise(text: str) -> List[Match]:
    """Every known failure in `text`, one per cause (code and subject), root cause first. Colours, HTML entities
    and CRs are dropped first, and a prefix every line carries (paste.plain, paste.undressed). Where none is found, the text is read again as the message under a
    JSON string's escapes and every line's log prefix (paste.unprefixed), joined where a line goes on in lower
    case (a terminal or a web page wrapped it), and joined where a terminal broke lines at its width
    (paste.rejoined)."""
    text = SONAME_COMMA.sub(r"\1.so", undressed(plain((text or "")[:MAX_TEXT])).translate(QUOTES))
    found = _recognise(text)
    if found or len(text) > MAX_UNWRAP:
        return found
    tried = {text}
    bare = unprefixed(text).translate(QUOTES)
    variants = [bare, unwrapped(text)]
    if len(text) <= MAX_REJOIN:
        variants += [unwrapped(bare), rejoined(text), rejoined(text, soft=True)]
    for variant in variants:
        if variant not in tried:
            tried.add(variant)
            found = _recognise(variant)
            if found:
                return found
    return found


def _recognise(text: str) -> List[Match]:
    found: List[Match] = []
    taken: List[Tuple[int, int]] = []      # the spans matched so far: disjoint, kept sorted (a log may hold 10,000)
    for rx, layer, fn, wrapper in _COMPILED:
        for mo in rx.finditer(text):
            if _overlaps(taken, mo.start(), mo.end()):
                continue
            line = _line_of(text, mo.start(), mo.end())
            res = None if quoted(mo) else fn(mo, line)
            if res is None:
                continue
            code, params = res
            found.append(Match(code, mo.start(), mo.end(), layer, mo.group(0), line,
                               tuple(sorted(params.items())), wrapper))
            bisect.insort(taken, (mo.start(), mo.end()))
    # a wrapper ('Could not load library A') yields to a loader error on the same line ('Error: B: cannot open')
    lines_with_cause = {(_line_of(text, m.start, m.end)) for m in found if not m.wrapper and m.layer == 0}
    found = [m for m in found if not (m.wrapper and m.line in lines_with_cause)]
    # weak evidence of a cause (a bare NCCL 'unhandled system error') yields to strong evidence of the same cause
    strong = {m.key for m in found if not m.get("weak")}
    found = [m for m in found if not (m.get("weak") and m.key in strong)]
    # the C library is under everything else the loader reports: a glibc too old leads (a newer libstdc++ needs it too);
    # a driver whose kernel module and libraries are out of step leads what CUDA then says (no device, not initialised)
    # an advisory (a check that warns and lets the program go on: an NGC container's GPU check, bitsandbytes' slow
    # 8-bit path) follows every failure the log has after it
    found.sort(key=lambda m: (m.get("advisory") == "yes", m.layer, m.code != C.GLIBC, m.code != C.NVML_MISMATCH,
                              m.start))
    out: List[Match] = []
    seen: Dict[Tuple[str, str], bool] = {}
    for m in found:
        if m.key not in seen:
            seen[m.key] = True
            out.append(m)
    return out
