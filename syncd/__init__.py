"""syncd keeps learning platforms in step with the HR system, both ways.

HR decides who exists, where they sit and what they must learn; each LMS
reports back what they did. See docs/ and README.md.
"""

__version__ = "0.1.0"
