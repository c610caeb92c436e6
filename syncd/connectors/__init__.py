"""The connectors: one package per LMS kind, each with its target model (`settings.py`)
and its `factory`, speaking the `Connector` protocol of `base.py`.

No connector imports another. The registry of kinds (`syncd.kinds`) names each
package's model and factory; the engine builds a connector through it, never by name.
"""
