@_exported import DiscreteMechanics
@_exported import Frames
@_exported import LagrangianLearning
@_exported import Manifolds
