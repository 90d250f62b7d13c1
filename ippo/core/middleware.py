from django.conf import settings


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script, everything from ourselves) and Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response
        form_action = " ".join(["'self'", *settings.IPPO_FORM_ACTION_ORIGINS])
        self.csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            f"frame-ancestors 'none'; form-action {form_action}"
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response
