"""The Environment model: plain facts, frozen, round-tripping through JSON without loss."""
from envcheck.model.base import ModelError
from envcheck.model.cuda import CudaToolkit, Library, NativeLink
from envcheck.model.image import Image
from envcheck.model.environment import SCHEMA, Environment, Meta, environment_schema
from envcheck.model.process import DeviceNode, DriverLibrary, ProcessView, VisibleDevices
from envcheck.model.python import PythonEnv
from envcheck.model.system import Container, Disk, Driver, Gpu, Host

__all__ = ["ModelError", "CudaToolkit", "Library", "NativeLink", "SCHEMA", "Environment", "Meta",
           "environment_schema", "DeviceNode", "DriverLibrary", "ProcessView", "VisibleDevices", "PythonEnv", "Container", "Disk", "Driver", "Gpu", "Host", "Image"]
