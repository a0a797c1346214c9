from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError


def home(request):
    return HttpResponse("vnnews")


def page_not_found(request, exception=None):
    return HttpResponseNotFound("Không tìm thấy trang")


def server_error(request):
    return HttpResponseServerError("Lỗi máy chủ")
