"""An API token page: each signed-in user creates and revokes their own token."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token


@require_http_methods(["GET", "POST"])
def api_token(request):
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            token = Token.objects.create(user=request.user)
            messages.success(request, "A new token was created. Copy it now: it is shown only once.")
            return render(request, "core/api_token.html", {"new_token": token.key, "has_token": True})
        messages.success(request, "Your token was revoked.")
        return redirect("api_token")
    return render(request, "core/api_token.html", {"has_token": Token.objects.filter(user=request.user).exists()})
