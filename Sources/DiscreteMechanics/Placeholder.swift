import Manifolds
