"""Network analysis: the graph projected into networkx, cross-sector metrics, gaps."""
