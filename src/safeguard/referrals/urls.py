"""The front door's pages. URL names: referrals:new, referrals:queue,
referrals:detail (referral_id), referrals:decide (referral_id),
referrals:decide-check (referral_id), referrals:authorise (referral_id)."""

from django.urls import path

from safeguard.referrals import views

app_name = "referrals"
urlpatterns = [
    path("new/", views.referral_new, name="new"),
    path("queue/", views.queue, name="queue"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/decision/", views.decide, name="decide"),
    path("<int:referral_id>/decision/check/", views.decide_check, name="decide-check"),
    path("<int:referral_id>/authorise/", views.authorise, name="authorise"),
]
