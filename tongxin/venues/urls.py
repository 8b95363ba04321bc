from django.urls import path

from tongxin.venues import listing, public_views, views

app_name = "venues"

urlpatterns = [
    # residents, no account: venues near me, a venue, booking, the private link, the iCalendar feed
    path("", public_views.venue_list, name="list"),
    path("<int:pk>/", public_views.venue_page, name="venue"),
    path("<int:pk>/book/", public_views.book, name="book"),
    path("<int:pk>/calendar.ics", public_views.calendar_feed, name="ics"),
    path("photos/<int:pk>/", public_views.venue_photo, name="photo"),
    path("b/<str:code>/<str:token>/", public_views.booking_page, name="booking"),
    path("b/<str:code>/<str:token>/cancel/", public_views.booking_cancel, name="booking_cancel"),
    # a member's own bookings
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/cancel/", views.mine_cancel, name="mine_cancel"),
    # keepers and officials
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/", views.venue_create, name="manage_create"),
    path("manage/queue/", views.queue, name="queue"),
    path("manage/calendar/", views.calendar, name="calendar"),
    path("manage/calendar/export.xlsx", listing.booking_export, name="booking_export"),
    path("manage/services/", views.service_list, name="services"),
    path("manage/<int:pk>/", views.manage_venue, name="manage_venue"),
    path("manage/<int:pk>/edit/", views.venue_edit, name="manage_edit"),
    path("manage/<int:pk>/rooms/", views.room_add, name="room_add"),
    path("manage/<int:pk>/rooms/<int:room_pk>/toggle/", views.room_toggle, name="room_toggle"),
    path("manage/<int:pk>/duty/", views.duty_add, name="duty_add"),
    path("manage/<int:pk>/duty/<int:slot_pk>/remove/", views.duty_remove, name="duty_remove"),
    path("manage/<int:pk>/services/", views.service_add, name="service_add"),
    path("manage/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("manage/<int:pk>/photos/<int:photo_pk>/remove/", views.photo_remove, name="photo_remove"),
    path("manage/bookings/<int:pk>/", views.manage_booking, name="manage_booking"),
    path("manage/bookings/<int:pk>/<str:action>/", views.booking_act, name="booking_act"),
]
