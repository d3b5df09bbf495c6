"""Did a request pass through a proxy (the ingress), or come straight to the pod?

``/ready/`` and, without ``METRICS_TOKEN``, ``/metrics`` answer only the kubelet and Prometheus,
which reach the pod directly and send no proxy header. ingress-nginx adds ``X-Forwarded-For``,
but other proxies add only some of these (``X-Real-IP`` alone, RFC 7239's ``Forwarded``, a
CDN's own client-address header), so any of them counts as "through a proxy".
"""

PROXY_HEADERS = frozenset(
    {
        "HTTP_FORWARDED",  # RFC 7239
        "HTTP_X_REAL_IP",
        "HTTP_VIA",
        "HTTP_X_ORIGINAL_FORWARDED_FOR",  # ingress-nginx, keeping what the client sent
        "HTTP_X_CLIENT_IP",
        "HTTP_X_CLUSTER_CLIENT_IP",
        "HTTP_TRUE_CLIENT_IP",  # Akamai, Cloudflare
        "HTTP_CF_CONNECTING_IP",  # Cloudflare
        "HTTP_FASTLY_CLIENT_IP",
    }
)


def came_through_a_proxy(request):
    """Whether the request carries any header a proxy adds (any ``X-Forwarded-*`` among them)."""
    return any(key in PROXY_HEADERS or key.startswith("HTTP_X_FORWARDED_") for key in request.META)
