/* The residents' pages, enhanced: "用手机定位查找" on the home page fills the station search
 * with the phone's position (WGS-84, as the browser gives it) and sends it. Without
 * JavaScript the pages work as plain forms; this only adds the button. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-locate]");
  if (!form || !navigator.geolocation) return;
  var button = form.querySelector(".locate");
  var status = form.querySelector(".status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "正在定位，请稍候……";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.elements.lon.value = pos.coords.longitude.toFixed(6);
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.q.value = "";
        status.textContent = "已经定位，正在查找……";
        form.submit();
      },
      function () {
        status.textContent = "没有取得位置。请允许网页使用位置，或者输入地址查找。";
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
