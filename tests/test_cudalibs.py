"""The CUDA library catalog: one LibSpec per library, the lookups derived from it, and the answers built on them."""
from envcheck.cudalibs import BY_STEM, DIST_OF_FOLDER, LIBRARIES, catalog_stem, cuda_major, wheel_dist


def test_one_record_per_stem():
    assert len(BY_STEM) == len(LIBRARIES)
    assert all(spec.packaged_with in ("ctk", "other", "driver") for spec in LIBRARIES)


def test_libraries_sharing_a_wheel_folder_share_its_distribution():
    for spec in LIBRARIES:
        if spec.folder:
            assert spec.dist == DIST_OF_FOLDER[spec.folder], spec.stem
    assert DIST_OF_FOLDER["cublas"] == "nvidia-cublas"
    assert DIST_OF_FOLDER["cuda_runtime"] == "nvidia-cuda-runtime"


def test_driver_libraries_come_from_no_wheel_and_have_no_cuda_major():
    driver = [spec.stem for spec in LIBRARIES if spec.from_driver]
    assert driver == ["libcuda", "libnvidia-ml"]
    assert all(BY_STEM[s].folder is None and BY_STEM[s].dist is None for s in driver)
    assert cuda_major("libcuda.so.1") is None
    assert cuda_major("libnvidia-ml.so.1", package="nvidia-ml-py-cu12") is None


def test_stems_families_and_data_files():
    assert catalog_stem("libcublasLt.so.12.4.5.8") == "libcublasLt"
    assert catalog_stem("libcudnn_ops.so.9") == "libcudnn"
    assert catalog_stem("libnvinfer_builder_resource.so.10.3.0") is None
    assert catalog_stem("libnvinfer_plugin.so.10") == "libnvinfer_plugin"
    assert catalog_stem("libnvinfer_lean_extra.so.10") == "libnvinfer"
    assert catalog_stem("libz.so.1") is None


def test_cuda_major_from_soname_rules():
    assert cuda_major("libcublasLt.so.12") == 12                      # the soname's number is the CUDA major
    assert cuda_major("libcufft.so.11") == 12                         # a table of its own
    assert cuda_major("libcusolver.so.11") is None                    # a number the table does not hold
    assert cuda_major("libcurand.so.10") is None                      # the soname does not say
    assert cuda_major("libcurand.so.10", "/usr/local/cuda-13.0/lib64/libcurand.so.10") == 13
    assert cuda_major("libcublas.so.13", package="nvidia-cublas", package_version="13.1.0.3") == 13
    assert BY_STEM["libcufftw"].cuda_for_soname(12) == 13


def test_wheel_dist_suffix_follows_who_packages_it():
    assert wheel_dist("libcublasLt", 12) == "nvidia-cublas-cu12"
    assert wheel_dist("libcublasLt", 13) == "nvidia-cublas"            # the toolkit's own drop the suffix from 13
    assert wheel_dist("libcudnn", 13) == "nvidia-cudnn-cu13"           # separately versioned ones keep it
    assert wheel_dist("libnccl", None) == "nvidia-nccl-cu12"
    assert wheel_dist("libnvinfer", 12) is None                        # TensorRT: no nvidia-* wheel in the catalog
    assert wheel_dist("libcuda", 12) is None
    assert wheel_dist("libfoo", 12) is None
