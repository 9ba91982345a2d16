"""Rejection samplers: gamma, Poisson, binomial (placeholder until implemented)."""


def gamma(gen, key, shape, dtype, alpha, beta):
    raise NotImplementedError


def poisson(gen, key, shape, dtype, lam):
    raise NotImplementedError


def binomial(gen, key, shape, dtype, counts, probs):
    raise NotImplementedError
